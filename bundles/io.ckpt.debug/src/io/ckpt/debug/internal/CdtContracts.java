package io.ckpt.debug.internal;

/**
 * The strings through which ckpt talks to Eclipse CDT, which is never a compile-time dependency.
 * Each one is CDT's own, kept stable by CDT for years:
 * <ul>
 * <li>the launch types and the {@code org.eclipse.cdt.launch.*} attributes come from CDT's
 * {@code ICDTLaunchConfigurationConstants} (plug-in org.eclipse.cdt.debug.core);</li>
 * <li>the {@code org.eclipse.cdt.dsf.gdb.*} attributes from {@code IGDBLaunchConfigurationConstants}
 * (plug-in org.eclipse.cdt.dsf.gdb);</li>
 * <li>the attributes of gdb's and the program's processes from the processes that plug-in's
 * launch creates.</li>
 * </ul>
 */
public final class CdtContracts {

	public static final String APPLICATION_TYPE = "org.eclipse.cdt.launch.applicationLaunchType"; //$NON-NLS-1$
	public static final String ATTACH_TYPE = "org.eclipse.cdt.launch.attachLaunchType"; //$NON-NLS-1$
	public static final String POSTMORTEM_TYPE = "org.eclipse.cdt.launch.postmortemLaunchType"; //$NON-NLS-1$
	public static final String REMOTE_TYPE = "org.eclipse.cdt.launch.remoteApplicationLaunchType"; //$NON-NLS-1$

	/** Launch types whose gdb ckpt can load its extension into (those that run or attach to a process). */
	public static final String[] LIVE_TYPES = { APPLICATION_TYPE, ATTACH_TYPE, REMOTE_TYPE };

	public static final String ATTR_PROJECT = "org.eclipse.cdt.launch.PROJECT_ATTR"; //$NON-NLS-1$
	public static final String ATTR_PROGRAM = "org.eclipse.cdt.launch.PROGRAM_NAME"; //$NON-NLS-1$
	public static final String ATTR_ATTACH_PID = "org.eclipse.cdt.launch.ATTACH_PROCESS_ID"; //$NON-NLS-1$
	public static final String ATTR_COREFILE = "org.eclipse.cdt.launch.COREFILE_PATH"; //$NON-NLS-1$
	public static final String ATTR_START_MODE = "org.eclipse.cdt.launch.DEBUGGER_START_MODE"; //$NON-NLS-1$
	public static final String START_MODE_ATTACH = "attach"; //$NON-NLS-1$
	public static final String START_MODE_CORE = "core"; //$NON-NLS-1$
	public static final String ATTR_POST_MORTEM_TYPE = "org.eclipse.cdt.dsf.gdb.POST_MORTEM_TYPE"; //$NON-NLS-1$
	public static final String POST_MORTEM_CORE_FILE = "CORE_FILE"; //$NON-NLS-1$
	public static final String ATTR_DEBUG_NAME = "org.eclipse.cdt.dsf.gdb.DEBUG_NAME"; //$NON-NLS-1$
	public static final String ATTR_GDB_INIT = "org.eclipse.cdt.dsf.gdb.GDB_INIT"; //$NON-NLS-1$
	/** CDT's default for {@link #ATTR_GDB_INIT}: {@code .gdbinit} in gdb's working directory. */
	public static final String DEFAULT_GDB_INIT = ".gdbinit"; //$NON-NLS-1$

	/** IProcess attribute that tells gdb's process from the inferior's. */
	public static final String ATTR_PROCESS_TYPE = "org.eclipse.cdt.dsf.gdb.createProcessType"; //$NON-NLS-1$
	public static final String GDB_PROCESS = "org.eclipse.cdt.dsf.gdb.gdbProcess"; //$NON-NLS-1$
	public static final String INFERIOR_PROCESS = "org.eclipse.cdt.dsf.gdb.inferiorProcess"; //$NON-NLS-1$

	private CdtContracts() {
	}

	/** Whether a launch configuration type id is one of CDT's. */
	public static boolean isCdtType(String typeId) {
		return typeId != null && typeId.startsWith("org.eclipse.cdt."); //$NON-NLS-1$
	}

	/** Whether a launch configuration type runs or attaches to a live process under gdb. */
	public static boolean isLiveType(String typeId) {
		for (String t : LIVE_TYPES) {
			if (t.equals(typeId)) {
				return true;
			}
		}
		return false;
	}
}
