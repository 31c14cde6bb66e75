package io.ckpt.core;

/** What happens to a process once {@code ckpt dump} has written its statefile. */
public enum DumpMode {
	/** Let it run on (the default). */
	LEAVE_RUNNING("--leave-running"), //$NON-NLS-1$
	/** Leave it stopped (SIGSTOP), for example for a debugger. */
	LEAVE_STOPPED("--leave-stopped"), //$NON-NLS-1$
	/** Kill it. */
	KILL("--kill"); //$NON-NLS-1$

	private final String option;

	DumpMode(String option) {
		this.option = option;
	}

	/** The command line option. */
	public String option() {
		return option;
	}
}
