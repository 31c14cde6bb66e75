package io.ckpt.ui.internal;

import org.eclipse.ui.IStartup;

import io.ckpt.core.SnapshotStore;
import io.ckpt.debug.internal.LaunchEnabler;
import io.ckpt.debug.internal.SessionFollower;

/** At workbench start: follow the "all C/C++ launches" preference, and start watching snapshot directories. */
public class Startup implements IStartup {

	@Override
	public void earlyStartup() {
		LaunchEnabler.start();
		SessionFollower.start();
		SnapshotStore.getDefault();
	}
}
