package io.ckpt.core.internal;

import com.sun.jna.Library;

/**
 * JNA mapping of libckpt's public C API ({@code native/include/ckpt.h}). Keep it in step with that
 * header.
 */
public interface CkptLibrary extends Library {

	/** {@code const char *ckpt_version(void)}: "MAJOR.MINOR.PATCH". */
	String ckpt_version();

	/** {@code int ckpt_format_version(void)}. */
	int ckpt_format_version();
}
