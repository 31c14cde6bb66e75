package io.ckpt.debug;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.Engine;
import io.ckpt.core.PathMapping;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.debug.internal.CdtContracts;
import io.ckpt.debug.internal.GdbControl;
import io.ckpt.debug.internal.Messages;
import io.ckpt.debug.internal.Sessions;

/**
 * The debug operations on snapshots: save the program of a suspended C/C++ debug session, restart
 * a statefile with CDT attached, open a statefile as a core file. All of them block and must run
 * in a Job, never on the UI thread.
 */
public final class Snapshots {

	private static final long SAVE_TIMEOUT_MS = 10 * 60 * 1000L;

	/** The answer to {@code inferiors}: what the session's gdb debugs. */
	private record Inferiors(List<Inferior> inferiors) {
	}

	private record Inferior(String executable, boolean selected) {
	}

	/** The request {@code save}; {@code allowUnrestorable} is left out when {@code null} (protocol 3). */
	private record SaveRequest(String op, String path, Boolean allowUnrestorable) {
	}

	/** The answer to {@code save}: {@code unrestorable} when the error is the refusal of what restart cannot rebuild. */
	private record Saved(boolean ok, String error, String path, boolean unrestorable) {
	}

	private Snapshots() {
	}

	/** Whether Save Snapshot applies: a C/C++ debug session whose program is stopped. Cheap. */
	public static boolean canSave(ILaunch launch) {
		return Sessions.isCLaunch(launch) && Sessions.isSuspended(launch);
	}

	/**
	 * Saves the program of a C/C++ debug session, through the control socket of ckpt's extension
	 * in that session's gdb, into the session's snapshot directory, and records it in the
	 * snapshot store with the session it came from.
	 *
	 * @throws CoreException with {@link CkptDebug#STATUS_NO_EXTENSION} when that gdb has no ckpt
	 *                       extension (the message says how to enable it),
	 *                       {@link CkptDebug#STATUS_UNRESTORABLE} when the program holds something
	 *                       restart cannot rebuild, or with the engine's reason
	 */
	public static Snapshot save(ILaunch launch, IProgressMonitor monitor) throws CoreException {
		return save(launch, false, monitor);
	}

	/**
	 * Saves as {@link #save(ILaunch, IProgressMonitor)} does; with {@code allowUnrestorable}, also a
	 * program that holds something restart cannot rebuild (restart gives those fds back as
	 * {@code /dev/null}, with a warning).
	 */
	public static Snapshot save(ILaunch launch, boolean allowUnrestorable, IProgressMonitor monitor) throws CoreException {
		SubMonitor sub = SubMonitor.convert(monitor, Messages.Snapshots_saving, 10);
		IProcess gdb = Sessions.gdbProcess(launch);
		if (gdb == null || gdb.isTerminated()) {
			throw error(CkptDebug.STATUS_NOT_SUSPENDED, Messages.Snapshots_noGdb, null);
		}
		long gdbPid = Sessions.pid(gdb);
		ILaunchConfiguration config = launch.getLaunchConfiguration();
		String project = attribute(config, CdtContracts.ATTR_PROJECT, ""); //$NON-NLS-1$
		Path dir = SnapshotStore.directoryFor(project.isEmpty() ? null : project,
				attribute(config, CkptDebug.ATTR_SNAPSHOT_DIR, "")); //$NON-NLS-1$
		try (GdbControl control = GdbControl.connect(gdbPid)) {
			if (control == null) {
				throw error(CkptDebug.STATUS_NO_EXTENSION, noExtensionMessage(config, gdbPid), null);
			}
			sub.subTask(Messages.Snapshots_askingGdb);
			Inferiors inferiors = control.request(new GdbControl.Request("inferiors", null), Inferiors.class, sub.split(1), //$NON-NLS-1$
					30_000);
			String program = attribute(config, CdtContracts.ATTR_PROGRAM, ""); //$NON-NLS-1$
			for (Inferior inferior : inferiors.inferiors() == null ? List.<Inferior>of() : inferiors.inferiors()) {
				if (inferior.selected() && inferior.executable() != null) {
					program = inferior.executable();
				}
			}
			Files.createDirectories(dir);
			Path file = SnapshotStore.newStatefilePath(dir, program);
			sub.subTask(NLS.bind(Messages.Snapshots_savingFile, file.getFileName()));
			Saved answer = control.request(new SaveRequest("save", file.toString(), allowUnrestorable ? Boolean.TRUE : null), //$NON-NLS-1$
					Saved.class, sub.split(8), SAVE_TIMEOUT_MS);
			if (!answer.ok()) {
				throw error(answer.unrestorable() ? CkptDebug.STATUS_UNRESTORABLE : 0, String.valueOf(answer.error()), null);
			}
			Path saved = Path.of(answer.path());
			sub.split(1);
			return SnapshotStore.getDefault().add(saved, Sessions.origin(launch), project.isEmpty() ? null : project);
		} catch (IOException e) {
			throw error(0, NLS.bind(Messages.Snapshots_gdbFailed, Long.toString(gdbPid), e.getMessage()), e);
		}
	}

	private static String noExtensionMessage(ILaunchConfiguration config, long gdbPid) {
		String name = config == null ? Messages.Snapshots_thisLaunch : NLS.bind(Messages.Snapshots_namedLaunch, config.getName());
		String extension;
		try {
			extension = Engine.gdbExtension().toString();
		} catch (RuntimeException e) {
			extension = "<engine>/share/ckpt/ckpt-gdb.py"; //$NON-NLS-1$
		}
		return NLS.bind(Messages.Snapshots_noExtension, new Object[] { Long.toString(gdbPid), name, extension });
	}

	// --- restart

	/** A "Restart from Snapshot" configuration for a statefile (not saved). */
	public static ILaunchConfigurationWorkingCopy restartConfiguration(Path statefile, String project) throws CoreException {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(CkptDebug.RESTART_LAUNCH_TYPE);
		String base = statefile.getFileName().toString();
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null, manager.generateLaunchConfigurationName(
				base.endsWith(SnapshotStore.EXTENSION) ? base.substring(0, base.length() - SnapshotStore.EXTENSION.length()) : base));
		wc.setAttribute(CkptDebug.ATTR_STATEFILE, statefile.toAbsolutePath().toString());
		wc.setAttribute(CkptDebug.ATTR_PROJECT, project == null ? "" : project); //$NON-NLS-1$
		return wc;
	}

	/** Restarts a statefile with a debugger attached: launches its "Restart from Snapshot" configuration. */
	public static ILaunch restart(Path statefile, String project, IProgressMonitor monitor) throws CoreException {
		return restart(statefile, project, List.of(), monitor);
	}

	/** Restarts a statefile with a debugger attached, finding missing files and directories where {@code mappings} say. */
	public static ILaunch restart(Path statefile, String project, List<PathMapping> mappings, IProgressMonitor monitor)
			throws CoreException {
		ILaunchConfigurationWorkingCopy wc = restartConfiguration(statefile, project);
		if (!mappings.isEmpty()) {
			wc.setAttribute(CkptDebug.ATTR_PATH_MAPS, mappings.stream().map(PathMapping::toString).toList());
		}
		return wc.launch(ILaunchManager.DEBUG_MODE, monitor, false, true);
	}

	// --- open as core

	/**
	 * A CDT Postmortem configuration that opens the statefile as a core file (not saved).
	 *
	 * @throws CoreException when CDT is not installed
	 */
	public static ILaunchConfigurationWorkingCopy coreConfiguration(Path statefile, String project, Statefile contents)
			throws CoreException {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(CdtContracts.POSTMORTEM_TYPE);
		if (type == null) {
			throw error(CkptDebug.STATUS_CDT_MISSING, NLS.bind(Messages.Snapshots_noCdtForCore, contents.program(), statefile), null);
		}
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null,
				manager.generateLaunchConfigurationName(NLS.bind(Messages.Snapshots_coreConfiguration, contents.programName(), statefile.getFileName())));
		wc.setAttribute(CdtContracts.ATTR_PROJECT, project == null ? "" : project); //$NON-NLS-1$
		wc.setAttribute(CdtContracts.ATTR_PROGRAM, contents.program());
		wc.setAttribute(CdtContracts.ATTR_COREFILE, statefile.toAbsolutePath().toString());
		wc.setAttribute(CdtContracts.ATTR_START_MODE, CdtContracts.START_MODE_CORE);
		wc.setAttribute(CdtContracts.ATTR_POST_MORTEM_TYPE, CdtContracts.POST_MORTEM_CORE_FILE);
		return wc;
	}

	/** Opens a statefile in CDT's post-mortem debugger. */
	public static ILaunch openAsCore(Path statefile, String project, IProgressMonitor monitor) throws CoreException {
		SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.Snapshots_openingAsCore, statefile.getFileName()), 2);
		Statefile contents = Engine.inspect(statefile);
		sub.worked(1);
		return coreConfiguration(statefile, project, contents).launch(ILaunchManager.DEBUG_MODE, sub.split(1), false, true);
	}

	// --- helpers

	static String attribute(ILaunchConfiguration config, String key, String dflt) {
		if (config == null) {
			return dflt;
		}
		try {
			return config.getAttribute(key, dflt);
		} catch (CoreException e) {
			return dflt;
		}
	}

	static CoreException error(int code, String message, Throwable cause) {
		return new CoreException(new Status(IStatus.ERROR, CkptDebug.PLUGIN_ID, code, message, cause));
	}

}
