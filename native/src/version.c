/* What this engine is and where it lives: versions, struct sizes for bindings, and the ckpt
 * command installed next to the library. */
#include "ckpt.h"
#include "format.h"

#include <dlfcn.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CKPT_VERSION_STRING "0.1.0"

const char *ckpt_version(void) { return CKPT_VERSION_STRING; }
int ckpt_format_version(void) { return CKPT_FORMAT_VERSION; }

size_t ckpt_struct_size(const char *name)
{
	static const struct { const char *name; size_t size; } sizes[] = {
		{"ckpt_patch", sizeof(struct ckpt_patch)},
		{"ckpt_capture_options", sizeof(struct ckpt_capture_options)},
		{"ckpt_capture_result", sizeof(struct ckpt_capture_result)},
		{"ckpt_restart_options", sizeof(struct ckpt_restart_options)},
		{"ckpt_restart_result", sizeof(struct ckpt_restart_result)},
		{"ckpt_path_map", sizeof(struct ckpt_path_map)},
		{"ckpt_pack_options", sizeof(struct ckpt_pack_options)},
		{"ckpt_pack_result", sizeof(struct ckpt_pack_result)},
		{"ckpt_rewind_result", sizeof(struct ckpt_rewind_result)},
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (name && strcmp(name, sizes[i].name) == 0)
			return sizes[i].size;
	return 0;
}

const char *ckpt_command_path(void)
{
	static char path[PATH_MAX];
	Dl_info info;
	if (!path[0] && dladdr((void *)ckpt_command_path, &info) && info.dli_fname) {
		char lib[PATH_MAX];
		if (realpath(info.dli_fname, lib)) {
			char *dir = dirname(lib);
			snprintf(path, sizeof(path), "%s/../bin/ckpt", dir);
		}
	}
	return path;
}
