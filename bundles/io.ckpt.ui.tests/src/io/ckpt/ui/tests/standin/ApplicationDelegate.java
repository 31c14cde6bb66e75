package io.ckpt.ui.tests.standin;

import java.util.List;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.ILaunchConfigurationDelegate;
import org.eclipse.debug.core.model.IProcess;

import io.ckpt.debug.Snapshots;
import io.ckpt.debug.internal.Sessions;

/**
 * Stand-in for CDT's "C/C++ Application" launch (registered under CDT's exact type id): real gdb
 * runs the program to the breakpoint named by the test attribute {@link #ATTR_BREAK}.
 */
public class ApplicationDelegate implements ILaunchConfigurationDelegate {

	public static final String ATTR_BREAK = "io.ckpt.ui.tests.BREAK"; //$NON-NLS-1$
	public static final String ATTR_ARGS = "io.ckpt.ui.tests.ARGS"; //$NON-NLS-1$

	@Override
	public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
			throws CoreException {
		String program = configuration.getAttribute(StandInGdb.ATTR_PROGRAM, ""); //$NON-NLS-1$
		String args = configuration.getAttribute(ATTR_ARGS, ""); //$NON-NLS-1$
		StandInGdb.start(launch, configuration,
				List.of("break " + configuration.getAttribute(ATTR_BREAK, "main"), "run"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				args.isEmpty() ? List.of(program) : List.of("--args", program, args)); //$NON-NLS-1$
	}

	/**
	 * Whether the launch's program stopped at its breakpoint: gdb said so and the program is
	 * stopped. Stopped threads alone are not enough: gdb stops a thread for a moment while the
	 * program runs, as when it creates a thread.
	 */
	public static boolean atBreakpoint(ILaunch launch) {
		IProcess gdb = Sessions.gdbProcess(launch);
		return gdb != null && StandInGdb.output(gdb).contains("Breakpoint 1, ") && Snapshots.canSave(launch); //$NON-NLS-1$
	}
}
