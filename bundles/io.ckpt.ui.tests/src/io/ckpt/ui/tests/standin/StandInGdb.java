package io.ckpt.ui.tests.standin;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.variables.VariablesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.core.model.IStreamMonitor;

/**
 * What the stand-ins for CDT's launch types share: they start real gdb the way CDT does as far as
 * ckpt is concerned — {@code --nx}, then {@code source} of the launch's GDB_INIT after Eclipse
 * variable substitution — and add gdb's process to the launch with the attributes CDT gives it
 * (ATTR_PROCESS_ID, createProcessType=gdbProcess). gdb reads further commands from its standard
 * input, which tests write through the process's streams proxy.
 */
public final class StandInGdb {

	public static final String ATTR_PROCESS_TYPE = "org.eclipse.cdt.dsf.gdb.createProcessType"; //$NON-NLS-1$
	public static final String GDB_PROCESS = "org.eclipse.cdt.dsf.gdb.gdbProcess"; //$NON-NLS-1$
	public static final String ATTR_GDB_INIT = "org.eclipse.cdt.dsf.gdb.GDB_INIT"; //$NON-NLS-1$
	public static final String ATTR_PROGRAM = "org.eclipse.cdt.launch.PROGRAM_NAME"; //$NON-NLS-1$

	private StandInGdb() {
	}

	/** Starts gdb for a launch with the given commands after the init file, and the program's arguments. */
	public static IProcess start(ILaunch launch, ILaunchConfiguration config, List<String> commands, List<String> tail)
			throws CoreException {
		List<String> cmd = new ArrayList<>(List.of("gdb", "-nx", "-q", "-ex", "set confirm off", "-ex", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				"set pagination off", "-ex", "set width 0")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		String init = config.getAttribute(ATTR_GDB_INIT, ".gdbinit"); //$NON-NLS-1$
		String program = config.getAttribute(ATTR_PROGRAM, ""); //$NON-NLS-1$
		File dir = program.isEmpty() ? null : new File(program).getParentFile();
		if (!init.isEmpty()) {
			String resolved = VariablesPlugin.getDefault().getStringVariableManager().performStringSubstitution(init);
			File f = new File(resolved);
			if (!f.isAbsolute() && dir != null) {
				f = new File(dir, resolved);
			}
			if (f.isFile()) { // as CDT: a missing init file is not an error
				cmd.add("-ex"); //$NON-NLS-1$
				cmd.add("source " + resolved); //$NON-NLS-1$
			}
		}
		for (String c : commands) {
			cmd.add("-ex"); //$NON-NLS-1$
			cmd.add(c);
		}
		cmd.addAll(tail);
		Process process;
		try {
			process = new ProcessBuilder(cmd).directory(dir).redirectErrorStream(true).start();
		} catch (IOException e) {
			throw new CoreException(new Status(IStatus.ERROR, "io.ckpt.ui.tests", "cannot start gdb: " + e.getMessage(), e)); //$NON-NLS-1$ //$NON-NLS-2$
		}
		Map<String, String> attributes = new HashMap<>();
		attributes.put(ATTR_PROCESS_TYPE, GDB_PROCESS);
		attributes.put(IProcess.ATTR_PROCESS_ID, Long.toString(process.pid()));
		attributes.put(IProcess.ATTR_CMDLINE, String.join(" ", cmd)); //$NON-NLS-1$
		IProcess p = DebugPlugin.newProcess(launch, process, "gdb (stand-in for CDT)", attributes); //$NON-NLS-1$
		// The console takes the stream's buffered contents once it connects: keep a copy for the tests.
		StringBuilder copy = new StringBuilder();
		OUTPUT.put(p, copy);
		IStreamMonitor monitor = p.getStreamsProxy().getOutputStreamMonitor();
		synchronized (monitor) {
			copy.append(monitor.getContents());
			monitor.addListener((text, m) -> {
				synchronized (copy) {
					copy.append(text);
				}
			});
		}
		return p;
	}

	private static final Map<IProcess, StringBuilder> OUTPUT = new java.util.concurrent.ConcurrentHashMap<>();

	/** Everything a stand-in gdb has written so far. */
	public static String output(IProcess p) {
		StringBuilder b = OUTPUT.get(p);
		if (b == null) {
			return p.getStreamsProxy().getOutputStreamMonitor().getContents();
		}
		synchronized (b) {
			return b.toString();
		}
	}
}
