package io.ckpt.ui.internal;

import org.eclipse.ui.IStartup;

import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.internal.LaunchEnabler;

/**
 * Early startup, for one behaviour only: with "Enable snapshots for all C/C++ launches" on, a
 * C/C++ configuration that is made and launched before anything of ckpt has run (CDT's Debug As
 * shortcut does both at once) must get ckpt's gdb init file before its gdb starts. No extension
 * point tells a bundle of new launch configurations, so the listener must be there from the
 * start. With the preference off nothing starts here: the preference page starts the listener,
 * and the snapshot store starts when something first uses it.
 */
public class AllLaunchesStartup implements IStartup {

	@Override
	public void earlyStartup() {
		if (CorePreferences.enableForAllLaunches()) {
			LaunchEnabler.start();
		}
	}
}
