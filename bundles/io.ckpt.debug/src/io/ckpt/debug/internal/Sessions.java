package io.ckpt.debug.internal;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.SnapshotOrigin;

/**
 * What ckpt needs to know about a CDT debug session, found with platform API and /proc only: its
 * gdb's pid, the program gdb traces, and whether that program is stopped. Everything here is
 * cheap (a few small /proc reads) and may run on any thread.
 */
public final class Sessions {

	private static final DateTimeFormatter LABEL_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss") //$NON-NLS-1$
			.withZone(ZoneId.systemDefault());

	private Sessions() {
	}

	/** gdb's process in a launch: the one CDT marks as gdb's, else any process whose command is gdb. */
	public static IProcess gdbProcess(ILaunch launch) {
		if (launch == null) {
			return null;
		}
		IProcess fallback = null;
		for (IProcess p : launch.getProcesses()) {
			if (CdtContracts.GDB_PROCESS.equals(p.getAttribute(CdtContracts.ATTR_PROCESS_TYPE)) && pid(p) > 0) {
				return p;
			}
			long pid = pid(p);
			if (fallback == null && pid > 0 && !p.isTerminated() && comm(pid).startsWith("gdb")) { //$NON-NLS-1$
				fallback = p;
			}
		}
		return fallback;
	}

	/** The ATTR_PROCESS_ID of a process, or -1. */
	public static long pid(IProcess p) {
		String s = p.getAttribute(IProcess.ATTR_PROCESS_ID);
		try {
			return s == null ? -1 : Long.parseLong(s.trim());
		} catch (NumberFormatException e) {
			return -1;
		}
	}

	/** Whether a launch is a C/C++ debug session: CDT's launch type, or a gdb process. */
	public static boolean isCLaunch(ILaunch launch) {
		if (launch == null || launch.isTerminated()) {
			return false;
		}
		ILaunchConfiguration c = launch.getLaunchConfiguration();
		try {
			if (c != null && CdtContracts.isCdtType(c.getType().getIdentifier())) {
				return true;
			}
		} catch (CoreException e) {
			// no type: decide by the processes
		}
		return gdbProcess(launch) != null;
	}

	/**
	 * The processes that this launch's gdb traces: gdb's children and the pid it attached to, as
	 * far as /proc says they are traced by gdb.
	 */
	public static List<Long> inferiors(ILaunch launch) {
		List<Long> result = new ArrayList<>();
		IProcess gdb = gdbProcess(launch);
		if (gdb == null) {
			return result;
		}
		long gdbPid = pid(gdb);
		List<Long> candidates = new ArrayList<>(children(gdbPid));
		ILaunchConfiguration c = launch.getLaunchConfiguration();
		if (c != null) {
			try {
				int attach = c.getAttribute(CdtContracts.ATTR_ATTACH_PID, -1);
				if (attach > 0) {
					candidates.add((long) attach);
				}
			} catch (CoreException e) {
				// no attach pid
			}
		}
		for (long pid : candidates) {
			if (tracerOf(pid) == gdbPid && !result.contains(pid)) {
				result.add(pid);
			}
		}
		return result;
	}

	/** Whether some thread of a program that this launch's gdb traces is stopped (ptrace-stop). */
	public static boolean isSuspended(ILaunch launch) {
		for (long pid : inferiors(launch)) {
			try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) { //$NON-NLS-1$ //$NON-NLS-2$
				for (Path task : tasks) {
					char state = state(task.resolve("stat")); //$NON-NLS-1$
					if (state == 't' || state == 'T') {
						return true;
					}
				}
			} catch (IOException e) {
				// gone
			}
		}
		return false;
	}

	/** The session label that groups statefiles: configuration name, type and start time. */
	public static SnapshotOrigin origin(ILaunch launch) {
		ILaunchConfiguration c = launch.getLaunchConfiguration();
		String name = c == null ? Messages.Sessions_unnamed : c.getName();
		String typeId = null;
		String typeName = null;
		try {
			if (c != null) {
				typeId = c.getType().getIdentifier();
				typeName = c.getType().getName();
			}
		} catch (CoreException e) {
			// no type
		}
		Instant started = null;
		String stamp = launch.getAttribute(DebugPlugin.ATTR_LAUNCH_TIMESTAMP);
		if (stamp != null) {
			try {
				started = Instant.ofEpochMilli(Long.parseLong(stamp));
			} catch (NumberFormatException e) {
				// no time
			}
		}
		String label = typeName == null ? name : NLS.bind(Messages.Sessions_labelWithType, name, typeName);
		if (started != null) {
			label = NLS.bind(Messages.Sessions_labelWithTime, label, LABEL_TIME.format(started));
		}
		return new SnapshotOrigin(label, c == null ? null : c.getName(), typeId, started);
	}

	private static List<Long> children(long pid) {
		List<Long> kids = new ArrayList<>();
		try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) { //$NON-NLS-1$ //$NON-NLS-2$
			for (Path task : tasks) {
				try {
					for (String s : Files.readString(task.resolve("children")).trim().split("\\s+")) { //$NON-NLS-1$ //$NON-NLS-2$
						if (!s.isEmpty()) {
							kids.add(Long.parseLong(s));
						}
					}
				} catch (IOException | NumberFormatException e) {
					// no children file
				}
			}
		} catch (IOException e) {
			// gone
		}
		return kids;
	}

	private static long tracerOf(long pid) {
		try {
			for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) { //$NON-NLS-1$ //$NON-NLS-2$
				if (line.startsWith("TracerPid:")) { //$NON-NLS-1$
					return Long.parseLong(line.substring(10).trim());
				}
			}
		} catch (IOException | RuntimeException e) {
			// gone
		}
		return -1;
	}

	private static char state(Path stat) {
		try {
			String s = Files.readString(stat);
			int close = s.lastIndexOf(')');
			return close > 0 && close + 2 < s.length() ? s.charAt(close + 2) : 0;
		} catch (IOException e) {
			return 0;
		}
	}

	static String comm(long pid) {
		try {
			return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim(); //$NON-NLS-1$ //$NON-NLS-2$
		} catch (IOException e) {
			return ""; //$NON-NLS-1$
		}
	}
}
