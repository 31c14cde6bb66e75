package io.ckpt.debug.internal;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.NullProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationListener;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;

import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.CkptDebug;

/**
 * Applies the preference "enable snapshots for all C/C++ launches": every CDT Application,
 * Attach and Remote configuration that has not made its own choice on the Snapshots tab gets
 * ckpt's gdb init file (see {@link GdbInit}), and loses it again when the preference is turned
 * off. New and changed configurations are kept in step.
 */
public final class LaunchEnabler implements ILaunchConfigurationListener {

	private static LaunchEnabler instance;

	private final Job sweep = Job.create(Messages.LaunchEnabler_job, this::sweep);

	private LaunchEnabler() {
		sweep.setSystem(true);
	}

	/** Starts following the preference and the launch configurations (once). */
	public static synchronized void start() {
		if (instance != null) {
			return;
		}
		instance = new LaunchEnabler();
		DebugPlugin.getDefault().getLaunchManager().addLaunchConfigurationListener(instance);
		CorePreferences.node().addPreferenceChangeListener(event -> {
			if (CorePreferences.ENABLE_FOR_ALL_LAUNCHES.equals(event.getKey())) {
				instance.sweep.schedule();
			}
		});
		instance.sweep.schedule();
	}

	/**
	 * Brings every configuration in step now, in the calling thread (for tests): a sweep the job
	 * may be running is waited for first, and this one reads the preference as it is now.
	 */
	public static void syncNow() throws InterruptedException {
		start();
		instance.sweep.join();
		instance.sweep(new NullProgressMonitor());
	}

	private synchronized IStatus sweep(IProgressMonitor monitor) {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		for (String typeId : CdtContracts.LIVE_TYPES) {
			ILaunchConfigurationType type = manager.getLaunchConfigurationType(typeId);
			if (type == null) {
				continue;
			}
			try {
				for (ILaunchConfiguration c : manager.getLaunchConfigurations(type)) {
					update(c);
				}
			} catch (CoreException e) {
				ILog.of(LaunchEnabler.class).log(e.getStatus());
			}
		}
		return Status.OK_STATUS;
	}

	private static void update(ILaunchConfiguration c) {
		try {
			if (c.isWorkingCopy() || c.hasAttribute(CkptDebug.ATTR_ENABLED)) {
				return; // the user's own choice, on the Snapshots tab
			}
			boolean want = CorePreferences.enableForAllLaunches();
			if (want == GdbInit.isEnabled(c)) {
				return;
			}
			ILaunchConfigurationWorkingCopy wc = c.getWorkingCopy();
			if (want) {
				GdbInit.enable(wc, false);
			} else {
				GdbInit.disable(wc, false);
			}
			wc.doSave();
		} catch (CoreException e) {
			ILog.of(LaunchEnabler.class).log(e.getStatus());
		}
	}

	@Override
	public void launchConfigurationAdded(ILaunchConfiguration configuration) {
		followUp(configuration);
	}

	@Override
	public void launchConfigurationChanged(ILaunchConfiguration configuration) {
		followUp(configuration);
	}

	@Override
	public void launchConfigurationRemoved(ILaunchConfiguration configuration) {
		// nothing to undo
	}

	private void followUp(ILaunchConfiguration configuration) {
		try {
			if (!configuration.isWorkingCopy() && CdtContracts.isLiveType(configuration.getType().getIdentifier())
					&& !configuration.hasAttribute(CkptDebug.ATTR_ENABLED)
					&& CorePreferences.enableForAllLaunches() != GdbInit.isEnabled(configuration)) {
				sweep.schedule(200);
			}
		} catch (CoreException e) {
			// a configuration without a type: not ours
		}
	}
}
