package io.ckpt.core;

import java.nio.file.Path;

import io.ckpt.core.internal.NativeEngine;

/**
 * Entry point to the native ckpt engine (libckpt, reached through JNA).
 * <p>
 * The engine is found in this order:
 * <ol>
 * <li>the platform fragment of this bundle ({@code io.ckpt.core.linux.x86_64}), which carries the
 * engine under {@code engine/};</li>
 * <li>the system property {@value #HOME_PROPERTY};</li>
 * <li>the environment variable {@value #HOME_ENV}.</li>
 * </ol>
 * The last two name a directory laid out like the engine's build output: {@code bin/ckpt},
 * {@code lib/libckpt.so} and {@code share/ckpt/ckpt-gdb.py}.
 * <p>
 * This class is safe to call from any thread. The library is loaded on first use.
 */
public final class Engine {

	/** Symbolic name of this bundle. */
	public static final String PLUGIN_ID = "io.ckpt.core"; //$NON-NLS-1$

	/** System property naming an engine directory, used when the fragment is not installed. */
	public static final String HOME_PROPERTY = "ckpt.home"; //$NON-NLS-1$

	/** Environment variable naming an engine directory, used when the fragment is not installed. */
	public static final String HOME_ENV = "CKPT_HOME"; //$NON-NLS-1$

	private Engine() {
	}

	/**
	 * Returns the engine's version, {@code MAJOR.MINOR.PATCH}, as libckpt reports it.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found or loaded
	 */
	public static String version() {
		return NativeEngine.get().version();
	}

	/**
	 * Returns the statefile format version that this engine writes and reads.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found or loaded
	 */
	public static int formatVersion() {
		return NativeEngine.get().formatVersion();
	}

	/**
	 * Returns the engine directory in use (the one holding {@code bin/}, {@code lib/} and
	 * {@code share/}).
	 *
	 * @throws EngineNotFoundException if the engine cannot be found
	 */
	public static Path home() {
		return NativeEngine.get().location().home();
	}

	/**
	 * Returns the path of the {@code ckpt} command line tool of the engine in use.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found
	 */
	public static Path executable() {
		return home().resolve("bin").resolve("ckpt"); //$NON-NLS-1$ //$NON-NLS-2$
	}

	/**
	 * Returns the path of the engine's gdb extension, to be loaded with gdb's {@code source}
	 * command.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found
	 */
	public static Path gdbExtension() {
		return home().resolve("share").resolve("ckpt").resolve("ckpt-gdb.py"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}
}
