package io.ckpt.core.internal;

import org.eclipse.core.runtime.preferences.IEclipsePreferences;
import org.eclipse.core.runtime.preferences.InstanceScope;

import io.ckpt.core.Engine;

/**
 * ckpt's preferences, kept in the instance scope of {@code io.ckpt.core} so that the core, the
 * debug integration and the preference page share them.
 */
public final class CorePreferences {

	/** Directory laid out like {@code native/build} that overrides the bundled engine; empty: none. */
	public static final String ENGINE_HOME = "engineHome"; //$NON-NLS-1$

	/**
	 * Where statefiles are saved: empty for {@code <project>/.snapshots}; a relative path is taken
	 * inside the project, an absolute one as it is.
	 */
	public static final String SNAPSHOT_DIRECTORY = "snapshotDirectory"; //$NON-NLS-1$

	/** Whether ckpt's gdb extension is loaded into every C/C++ launch. */
	public static final String ENABLE_FOR_ALL_LAUNCHES = "enableForAllLaunches"; //$NON-NLS-1$

	/**
	 * When the debugger saves on its own: {@code off}, {@code breakpoint} (at breakpoint hits) or
	 * {@code suspend} (at every suspend: breakpoints, steps, signals). A launch may choose otherwise.
	 */
	public static final String AUTO_SNAPSHOTS = "autoSnapshots"; //$NON-NLS-1$

	/** Retention: at most this many automatic snapshots per debug session (pinned ones count, and stay). */
	public static final String KEEP_SNAPSHOTS = "keepSnapshots"; //$NON-NLS-1$

	/** Retention: at most this many MiB of automatic snapshots on disk per debug session. */
	public static final String KEEP_MIB = "keepMiB"; //$NON-NLS-1$

	/** The modes of {@link #AUTO_SNAPSHOTS}, as the gdb extension names them. */
	public static final String AUTO_OFF = "off", AUTO_AT_BREAKPOINTS = "breakpoint", AUTO_AT_SUSPENDS = "suspend"; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$

	/** Defaults that a user would not notice: a long debugging session's worth. */
	public static final int DEFAULT_KEEP_SNAPSHOTS = 100, DEFAULT_KEEP_MIB = 1024;

	private CorePreferences() {
	}

	public static IEclipsePreferences node() {
		return InstanceScope.INSTANCE.getNode(Engine.PLUGIN_ID);
	}

	public static String engineHome() {
		return node().get(ENGINE_HOME, ""); //$NON-NLS-1$
	}

	public static String snapshotDirectory() {
		return node().get(SNAPSHOT_DIRECTORY, ""); //$NON-NLS-1$
	}

	public static boolean enableForAllLaunches() {
		return node().getBoolean(ENABLE_FOR_ALL_LAUNCHES, false);
	}

	public static String autoSnapshots() {
		String mode = node().get(AUTO_SNAPSHOTS, AUTO_OFF);
		return isAutoMode(mode) ? mode : AUTO_OFF;
	}

	public static boolean isAutoMode(String mode) {
		return AUTO_OFF.equals(mode) || AUTO_AT_BREAKPOINTS.equals(mode) || AUTO_AT_SUSPENDS.equals(mode);
	}

	public static int keepSnapshots() {
		return Math.max(1, node().getInt(KEEP_SNAPSHOTS, DEFAULT_KEEP_SNAPSHOTS));
	}

	public static long keepBytes() {
		return Math.max(1, node().getInt(KEEP_MIB, DEFAULT_KEEP_MIB)) * 1024L * 1024L;
	}
}
