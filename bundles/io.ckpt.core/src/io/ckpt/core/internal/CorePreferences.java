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
}
