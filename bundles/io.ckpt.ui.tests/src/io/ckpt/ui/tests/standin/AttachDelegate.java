package io.ckpt.ui.tests.standin;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.ILaunchConfigurationDelegate;
import org.eclipse.debug.core.model.IProcess;

/**
 * Stand-in for CDT's "C/C++ Attach to Application" launch (registered under CDT's exact type
 * id): records the configuration it was given, then attaches real gdb to its
 * ATTACH_PROCESS_ID and runs {@code bt}.
 */
public class AttachDelegate implements ILaunchConfigurationDelegate {

	/** Every attach launched: the configuration's attributes and its gdb process. */
	public record Attached(Map<String, Object> attributes, ILaunch launch, IProcess gdb) {
	}

	public static final List<Attached> LAUNCHED = new CopyOnWriteArrayList<>();

	@Override
	public void launch(ILaunchConfiguration configuration, String mode, ILaunch launch, IProgressMonitor monitor)
			throws CoreException {
		Map<String, Object> attributes = new ConcurrentHashMap<>(configuration.getAttributes());
		int pid = configuration.getAttribute("org.eclipse.cdt.launch.ATTACH_PROCESS_ID", -1); //$NON-NLS-1$
		String program = configuration.getAttribute(StandInGdb.ATTR_PROGRAM, ""); //$NON-NLS-1$
		IProcess gdb = StandInGdb.start(launch, configuration,
				List.of("attach " + pid, "echo ==bt==\\n", "bt", "echo ==end bt==\\n"), List.of(program)); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
		LAUNCHED.add(new Attached(attributes, launch, gdb));
	}
}
