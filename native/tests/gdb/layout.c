/* Prints the layout of the structs of ckpt.h that the gdb extension mirrors with ctypes
 * (MIRRORED_STRUCTS in native/gdb/_ckpt_gdb/engine.py), and only those, as JSON:
 * {"struct": {"size": N, "fields": {"name": offset, ...}}, ...}. */
#include <stddef.h>
#include <stdio.h>

#include "ckpt.h"

#define BEGIN(s) printf("%s\"%s\":{\"size\":%zu,\"fields\":{", first_struct ? "" : ",", #s, sizeof(struct s)), \
		 first_struct = 0, first_field = 1
#define F(s, f) printf("%s\"%s\":%zu", first_field ? "" : ",", #f, offsetof(struct s, f)), first_field = 0
#define END() printf("}}")

int main(void)
{
	int first_struct = 1, first_field = 1;
	printf("{");
	BEGIN(ckpt_patch);
	F(ckpt_patch, addr); F(ckpt_patch, len); F(ckpt_patch, bytes);
	END();
	BEGIN(ckpt_capture_options);
	F(ckpt_capture_options, release); F(ckpt_capture_options, first_tid); F(ckpt_capture_options, stop_function);
	F(ckpt_capture_options, stop_file); F(ckpt_capture_options, stop_line); F(ckpt_capture_options, patches);
	F(ckpt_capture_options, npatches); F(ckpt_capture_options, from_debugger); F(ckpt_capture_options, progress);
	F(ckpt_capture_options, progress_arg); F(ckpt_capture_options, parent); F(ckpt_capture_options, tracker);
	F(ckpt_capture_options, allow_unrestorable);
	F(ckpt_capture_options, origin); F(ckpt_capture_options, label); F(ckpt_capture_options, note);
	F(ckpt_capture_options, timeline_parent); F(ckpt_capture_options, sequence); F(ckpt_capture_options, session);
	END();
	BEGIN(ckpt_capture_result);
	F(ckpt_capture_result, processes); F(ckpt_capture_result, threads); F(ckpt_capture_result, mapped_bytes);
	F(ckpt_capture_result, stored_bytes); F(ckpt_capture_result, file_bytes); F(ckpt_capture_result, freeze_ns);
	F(ckpt_capture_result, total_ns); F(ckpt_capture_result, parent_bytes);
	END();
	BEGIN(ckpt_path_map);
	F(ckpt_path_map, from); F(ckpt_path_map, to);
	END();
	BEGIN(ckpt_pack_options);
	F(ckpt_pack_options, with_files); F(ckpt_pack_options, max_open_file_size);
	END();
	BEGIN(ckpt_pack_result);
	F(ckpt_pack_result, files); F(ckpt_pack_result, debug_files); F(ckpt_pack_result, skipped_open_files);
	F(ckpt_pack_result, embedded_bytes); F(ckpt_pack_result, statefile_bytes); F(ckpt_pack_result, file_bytes);
	END();
	BEGIN(ckpt_rewind_result);
	F(ckpt_rewind_result, threads); F(ckpt_rewind_result, stop_tid); F(ckpt_rewind_result, damaged);
	F(ckpt_rewind_result, written_bytes); F(ckpt_rewind_result, total_ns);
	END();
	printf("}\n");
	return 0;
}
