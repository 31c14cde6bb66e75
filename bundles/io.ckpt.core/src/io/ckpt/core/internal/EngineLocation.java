package io.ckpt.core.internal;

import java.nio.file.Path;

/**
 * Where the engine was found, and how.
 *
 * @param home   directory holding {@code bin/ckpt}, {@code lib/libckpt.so} and {@code share/ckpt/}
 * @param source which rule found it
 */
public record EngineLocation(Path home, Source source) {

	/** The rule that found an engine directory. */
	public enum Source {
		/** The engine path override in the preferences. */
		PREFERENCE,
		/** The platform fragment's {@code engine/} folder. */
		FRAGMENT,
		/** The {@code ckpt.home} system property. */
		SYSTEM_PROPERTY,
		/** The {@code CKPT_HOME} environment variable. */
		ENVIRONMENT
	}

	/** The shared library that JNA loads. */
	public Path library() {
		return home.resolve("lib").resolve("libckpt.so"); //$NON-NLS-1$ //$NON-NLS-2$
	}
}
