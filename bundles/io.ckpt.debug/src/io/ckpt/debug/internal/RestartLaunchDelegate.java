package io.ckpt.debug.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
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
import org.eclipse.debug.core.IStatusHandler;
import org.eclipse.debug.core.model.ILaunchConfigurationDelegate2;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.Engine;
import io.ckpt.core.PathMapping;
import io.ckpt.core.PortabilityReport;
import io.ckpt.core.RestartedProgram;
import io.ckpt.core.Statefile;
import io.ckpt.debug.CkptDebug;

/**
 * "Restart from Snapshot": first checks, in-process, whether the statefile can restart on this
 * machine ({@link Engine#check}); when it cannot, the launch stops there and a status handler for
 * {@link CkptDebug#STATUS_NOT_RESTARTABLE} shows the report with its remedies (without one, the
 * restart goes ahead and the engine refuses in its own words). Then it validates the statefile,
 * restarts it stopped at the saved context in a separate engine process (cancellable through the
 * launch's progress monitor), adds
 * the restarted program to the launch (its output goes to the console), then creates and launches
 * a CDT "Attach to Application" configuration for its pid, set up to load ckpt's gdb extension.
 * Without CDT the program is left stopped and the user is told its pid.
 */
public class RestartLaunchDelegate implements ILaunchConfigurationDelegate2 {

	@Override
	public ILaunch getLaunch(ILaunchConfiguration configuration, String mode) {
		return null;
	}

	@Override
	public boolean buildForLaunch(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
		return false; // nothing to build: the program is in the statefile
	}

	@Override
	public boolean finalLaunchCheck(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor) {
		return true;
	}

	/**
	 * Whether the statefile can restart here. When it cannot and a status handler shows the
	 * report, the launch is cancelled (the launch manager forgets it, and nothing is started).
	 */
	@Override
	public boolean preLaunchCheck(ILaunchConfiguration configuration, String mode, IProgressMonitor monitor)
			throws CoreException {
		Path statefile = statefile(configuration);
		SubMonitor sub = SubMonitor.convert(monitor, 1);
		sub.subTask(NLS.bind(Messages.RestartLaunchDelegate_checkingPortability, statefile.getFileName()));
		PortabilityReport report = Engine.check(statefile, pathMappings(configuration));
		sub.worked(1);
		if (report.restartable()) {
			return true;
		}
		IStatus status = new Status(IStatus.ERROR, CkptDebug.PLUGIN_ID, CkptDebug.STATUS_NOT_RESTARTABLE,
				report.problems() == 1 ? NLS.bind(Messages.RestartLaunchDelegate_notRestartableOne, statefile.getFileName())
						: NLS.bind(Messages.RestartLaunchDelegate_notRestartable, statefile.getFileName(),
								Integer.toString(report.problems())),
				null);
		IStatusHandler handler = DebugPlugin.getDefault().getStatusHandler(status);
		if (handler == null) {
			return true; // the engine refuses, with the first problem in its own words
		}
		return Boolean.TRUE.equals(handler.handleStatus(status, report));
	}

	@Override
	public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
			throws CoreException {
		SubMonitor sub = SubMonitor.convert(monitor, Messages.RestartLaunchDelegate_task, 100);
		Path statefile = statefile(configuration);
		String project = configuration.getAttribute(CkptDebug.ATTR_PROJECT, ""); //$NON-NLS-1$

		sub.subTask(NLS.bind(Messages.RestartLaunchDelegate_checking, statefile.getFileName()));
		Statefile contents = Engine.inspect(statefile);
		sub.worked(5);

		sub.subTask(NLS.bind(Messages.RestartLaunchDelegate_restarting, contents.programName(), statefile.getFileName()));
		RestartedProgram program = Engine.restartStopped(statefile, pathMappings(configuration), sub.split(45));
		new ProgramProcess(launch, program, NLS.bind(Messages.RestartLaunchDelegate_processLabel,
				new Object[] { contents.programName(), Integer.toString(program.pid()), statefile.getFileName() }));

		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType attachType = manager.getLaunchConfigurationType(CdtContracts.ATTACH_TYPE);
		if (attachType == null) {
			cdtMissing(program, contents);
			return;
		}
		sub.subTask(NLS.bind(Messages.RestartLaunchDelegate_attaching, Integer.toString(program.pid())));
		ILaunchConfigurationWorkingCopy attach = attachConfiguration(attachType, contents, program.pid(), project, statefile);
		try {
			attach.launch(ILaunchManager.DEBUG_MODE, sub.split(50), false, true);
		} catch (CoreException e) {
			throw new CoreException(new Status(IStatus.ERROR, CkptDebug.PLUGIN_ID, 0,
					NLS.bind(Messages.RestartLaunchDelegate_attachFailed, Integer.toString(program.pid()), e.getStatus().getMessage()),
					e));
		}
	}

	/**
	 * The CDT "Attach to Application" configuration for a restarted program (not saved): program,
	 * project, pid, start mode {@code attach}, and gdb's init file set to load ckpt's extension.
	 */
	public static ILaunchConfigurationWorkingCopy attachConfiguration(ILaunchConfigurationType attachType,
			Statefile contents, int pid, String project, Path statefile) throws CoreException {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationWorkingCopy wc = attachType.newInstance(null, manager
				.generateLaunchConfigurationName(NLS.bind(Messages.RestartLaunchDelegate_attachConfiguration, contents.programName(),
						statefile.getFileName())));
		wc.setAttribute(CdtContracts.ATTR_PROJECT, project == null ? "" : project); //$NON-NLS-1$
		wc.setAttribute(CdtContracts.ATTR_PROGRAM, contents.program());
		wc.setAttribute(CdtContracts.ATTR_ATTACH_PID, pid);
		wc.setAttribute(CdtContracts.ATTR_START_MODE, CdtContracts.START_MODE_ATTACH);
		wc.setAttribute(CkptDebug.ATTR_RESTARTED_FROM, statefile.toString());
		GdbInit.enable(wc, true);
		return wc;
	}

	private static void cdtMissing(RestartedProgram program, Statefile contents) throws CoreException {
		IStatus status = new Status(IStatus.INFO, CkptDebug.PLUGIN_ID, CkptDebug.STATUS_CDT_MISSING,
				NLS.bind(Messages.RestartLaunchDelegate_cdtMissing, new Object[] { contents.programName(),
						Integer.toString(program.pid()), Engine.gdbExtension() }),
				null);
		IStatusHandler handler = DebugPlugin.getDefault().getStatusHandler(status);
		if (handler != null) {
			handler.handleStatus(status, Integer.valueOf(program.pid()));
		} else {
			ILog.of(RestartLaunchDelegate.class).log(status);
		}
	}

	/** The configuration's {@link CkptDebug#ATTR_PATH_MAPS}. */
	static List<PathMapping> pathMappings(ILaunchConfiguration configuration) throws CoreException {
		List<PathMapping> mappings = new ArrayList<>();
		for (String m : configuration.getAttribute(CkptDebug.ATTR_PATH_MAPS, List.<String>of())) {
			try {
				mappings.add(PathMapping.parse(m));
			} catch (IllegalArgumentException e) {
				throw error(0, e.getMessage());
			}
		}
		return mappings;
	}

	private static Path statefile(ILaunchConfiguration configuration) throws CoreException {
		String file = configuration.getAttribute(CkptDebug.ATTR_STATEFILE, ""); //$NON-NLS-1$
		if (file.isBlank()) {
			throw error(0, NLS.bind(Messages.RestartLaunchDelegate_noStatefile, configuration.getName()));
		}
		return Path.of(file).toAbsolutePath();
	}

	private static CoreException error(int code, String message) {
		return new CoreException(new Status(IStatus.ERROR, CkptDebug.PLUGIN_ID, code, message, null));
	}
}
