package io.ckpt.core.internal;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The part of libckpt's C API ({@code native/include/ckpt.h}) that the IDE calls in-process
 * through JNA: reading statefiles, checking whether they can restart here, packing them for another machine, and the engine's version. Keep it in step with that header.
 * Dump and restart run in the {@code ckpt} command instead (see {@link EngineProcess}).
 */
public interface CkptLibrary extends Library {

	/** {@code const char *ckpt_version(void)}: "MAJOR.MINOR.PATCH". */
	String ckpt_version();

	/** {@code int ckpt_format_version(void)}. */
	int ckpt_format_version();

	/** {@code const char *ckpt_last_error(void)}: why the last call on this thread failed. */
	String ckpt_last_error();

	/** {@code char *ckpt_info(const char *path, int json)}: free the result with {@link #ckpt_free}. */
	Pointer ckpt_info(String path, int json);

	/**
	 * {@code char *ckpt_check(const char *path, int json, unsigned *problems)}: the portability
	 * report; {@code null} when the file cannot be read (see {@link #ckpt_last_error}). Free the
	 * result with {@link #ckpt_free}.
	 */
	Pointer ckpt_check(String path, int json, IntByReference problems);

	/**
	 * {@code char *ckpt_check_mapped(const char *path, int json, const struct ckpt_path_map *path_maps,
	 * size_t npath_maps, unsigned *problems)}: {@link #ckpt_check} with paths missing here looked up
	 * where the mappings say; {@code path_maps} is a contiguous array (made with {@code toArray}).
	 */
	Pointer ckpt_check_mapped(String path, int json, PackStructs.PathMap[] path_maps, long npath_maps, IntByReference problems);

	/** {@code size_t ckpt_struct_size(const char *name)}: 0 for a struct the engine does not know. */
	long ckpt_struct_size(String name);

	/**
	 * {@code int ckpt_pack(const char *path, const char *out, const struct ckpt_pack_options *options,
	 * struct ckpt_pack_result *result)}: -1 with {@link #ckpt_last_error} on this thread.
	 */
	int ckpt_pack(String path, String out, PackStructs.Options options, PackStructs.Result result);

	/** {@code void ckpt_interrupt(int on)}: makes a running pack stop as soon as it can. */
	void ckpt_interrupt(int on);

	/** {@code void ckpt_free(void *p)}. */
	void ckpt_free(Pointer p);
}
