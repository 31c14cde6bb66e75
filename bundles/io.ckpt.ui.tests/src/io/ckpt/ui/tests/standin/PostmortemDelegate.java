package io.ckpt.ui.tests.standin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.ILaunchConfigurationDelegate;
import org.eclipse.debug.core.model.IProcess;

/**
 * Stand-in for CDT's "C/C++ Postmortem Debugger" launch (CDT's exact type id): records the
 * configuration, then opens COREFILE_PATH with real gdb as CDT does ({@code target core}) and
 * runs {@code bt}.
 */
public class PostmortemDelegate implements ILaunchConfigurationDelegate {

	public record Opened(Map<String, Object> attributes, IProcess gdb) {
	}

	public static final List<Opened> LAUNCHED = new CopyOnWriteArrayList<>();

	@Override
	public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
			throws CoreException {
		String core = configuration.getAttribute("org.eclipse.cdt.launch.COREFILE_PATH", ""); //$NON-NLS-1$ //$NON-NLS-2$
		String program = configuration.getAttribute(StandInGdb.ATTR_PROGRAM, ""); //$NON-NLS-1$
		IProcess gdb = StandInGdb.start(launch, configuration,
				List.of("target core " + core, "echo ==bt==\\n", "bt", "echo ==end bt==\\n"), List.of(program)); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
		LAUNCHED.add(new Opened(Map.copyOf(configuration.getAttributes()), gdb));
	}
}
