package io.ckpt.core;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A program that the engine restarted from a statefile and left stopped at the saved context,
 * ready for a debugger to attach to {@link #pid()}. Its standard output and error arrive in
 * {@link #output()} for as long as it lives.
 *
 * @param statefile   the statefile it came from
 * @param pid         the root process as seen from here: attach to this one
 * @param savedPid    its pid when it was saved (and inside its pid namespace, if any)
 * @param inNamespace whether it runs in a new user+pid namespace
 * @param processes   processes restarted
 * @param threads     threads restarted
 * @param totalMillis how long the restart took
 * @param output      its standard output and error
 */
public record RestartedProgram(Path statefile, int pid, int savedPid, boolean inNamespace, int processes, int threads,
		double totalMillis, ProgramOutput output) {

	/** Whether the root process still exists and is not a zombie. */
	public boolean isAlive() {
		try {
			String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat")); //$NON-NLS-1$ //$NON-NLS-2$
			int close = stat.lastIndexOf(')');
			return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z' && stat.charAt(close + 2) != 'X';
		} catch (IOException e) {
			return false;
		}
	}

	/** Kills the restarted program (SIGKILL to its root process). */
	public void kill() {
		if (pid > 0) {
			ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
		}
	}
}
