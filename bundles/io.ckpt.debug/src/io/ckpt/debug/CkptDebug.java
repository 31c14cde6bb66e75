package io.ckpt.debug;

/**
 * Identifiers of the ckpt debug integration: the "Restart from Snapshot" launch type and the
 * launch configuration attributes ckpt reads and writes.
 */
public final class CkptDebug {

	/** Symbolic name of this bundle. */
	public static final String PLUGIN_ID = "io.ckpt.debug"; //$NON-NLS-1$

	/** The launch configuration type "Restart from Snapshot". */
	public static final String RESTART_LAUNCH_TYPE = "io.ckpt.debug.restartLaunchType"; //$NON-NLS-1$

	/** Restart from Snapshot: absolute path of the statefile (string). */
	public static final String ATTR_STATEFILE = PLUGIN_ID + ".STATEFILE"; //$NON-NLS-1$

	/** Restart from Snapshot: name of the workspace project (string, may be empty). */
	public static final String ATTR_PROJECT = PLUGIN_ID + ".PROJECT"; //$NON-NLS-1$

	/**
	 * On "Restart from Snapshot" configurations: where files the program had open and working
	 * directories that are missing here are found instead, each {@code OLD=NEW} (list of strings,
	 * in order; passed as {@code ckpt restart --map-path OLD=NEW}). Absent: none.
	 */
	public static final String ATTR_PATH_MAPS = PLUGIN_ID + ".PATH_MAPS"; //$NON-NLS-1$

	/**
	 * On CDT launch configurations: whether ckpt's gdb extension is loaded (boolean). Absent: the
	 * preference "enable snapshots for all C/C++ launches" decides.
	 */
	public static final String ATTR_ENABLED = PLUGIN_ID + ".ENABLED"; //$NON-NLS-1$

	/** On CDT launch configurations: where Save Snapshot writes statefiles (string; empty: the default). */
	public static final String ATTR_SNAPSHOT_DIR = PLUGIN_ID + ".SNAPSHOT_DIR"; //$NON-NLS-1$

	/**
	 * On CDT launch configurations: when gdb saves on its own ({@code off}, {@code breakpoint},
	 * {@code suspend}; string). Absent: the preference decides.
	 */
	public static final String ATTR_AUTO_SNAPSHOTS = PLUGIN_ID + ".AUTO_SNAPSHOTS"; //$NON-NLS-1$

	/**
	 * On CDT launch configurations that ckpt set up: the user's own gdb init file, which ckpt's
	 * init file sources after loading the extension (string).
	 */
	public static final String ATTR_USER_GDB_INIT = PLUGIN_ID + ".USER_GDB_INIT"; //$NON-NLS-1$

	/** On the CDT attach configuration made by a restart: the statefile it came from (string). */
	public static final String ATTR_RESTARTED_FROM = PLUGIN_ID + ".RESTARTED_FROM"; //$NON-NLS-1$

	/**
	 * The dynamic variable that stands for ckpt's gdb init file: {@code ${ckpt_gdbinit:USER_INIT}}
	 * resolves to a file that loads ckpt's gdb extension, then sources USER_INIT if it exists.
	 */
	public static final String GDBINIT_VARIABLE = "ckpt_gdbinit"; //$NON-NLS-1$

	/** Status code: CDT is not installed, the restarted program is left stopped (status data: its pid). */
	public static final int STATUS_CDT_MISSING = 1001;

	/** Status code: the debug session has no ckpt gdb extension loaded. */
	public static final int STATUS_NO_EXTENSION = 1002;

	/** Status code: the selected launch is not a suspended C/C++ debug session. */
	public static final int STATUS_NOT_SUSPENDED = 1003;

	/**
	 * Status code: the statefile cannot restart on this machine (status data: its
	 * {@link io.ckpt.core.PortabilityReport}). A handler returns {@link Boolean#TRUE} to restart
	 * anyway (the engine then refuses with the first problem), anything else to leave it.
	 */
	public static final int STATUS_NOT_RESTARTABLE = 1004;

	/**
	 * Status code: Save Snapshot was refused because the program holds something restart cannot
	 * rebuild (the message is the engine's line naming the fd); saving with
	 * {@code allowUnrestorable} saves it anyway.
	 */
	public static final int STATUS_UNRESTORABLE = 1005;

	private CkptDebug() {
	}
}
