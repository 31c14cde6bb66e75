package io.ckpt.core.internal;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;
import com.sun.jna.ptr.IntByReference;

/**
 * JNA mapping of libckpt's public C API ({@code native/include/ckpt.h}). Keep it in step with that
 * header. {@code size_t} is mapped to {@code long}: the engine exists for x86_64 only.
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

	/** {@code void ckpt_free(void *p)}. */
	void ckpt_free(Pointer p);

	/** {@code struct ckpt_child}: the engine running as a separate process. */
	@FieldOrder({ "pid", "stdout_fd", "stderr_fd" })
	class CkptChild extends Structure {
		public int pid;
		public int stdout_fd;
		public int stderr_fd;
	}

	/** {@code int ckpt_child_start(const char *const *args, size_t nargs, struct ckpt_child *child)}. */
	int ckpt_child_start(String[] args, long nargs, CkptChild child);

	/** {@code int ckpt_child_wait(struct ckpt_child *child, int timeout_ms, int *exit_code)}: 1 ended, 0 timeout, -1 error. */
	int ckpt_child_wait(CkptChild child, int timeoutMs, IntByReference exitCode);

	/** {@code int ckpt_child_cancel(struct ckpt_child *child)}: SIGINT, the engine cleans up. */
	int ckpt_child_cancel(CkptChild child);

	/** {@code const char *ckpt_command_path(void)}. */
	String ckpt_command_path();
}
