package io.ckpt.debug.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.eclipse.core.resources.IMarkerDelta;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IBreakpointListener;
import org.eclipse.debug.core.IBreakpointManager;
import org.eclipse.debug.core.IBreakpointManagerListener;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IProcess;

import io.ckpt.debug.SnapPointBreakpoint;
import io.ckpt.debug.TimeTravel;

/**
 * Keeps the snapshot points of every live session's gdb in step with the {@link SnapPointBreakpoint}s
 * of the breakpoint manager: an enabled one, while breakpoints are not skipped, is a
 * {@code ckpt snappoint} there (over the control socket), a removed or disabled one is deleted
 * there, and a changed condition or line makes it anew. Sessions are every launch whose gdb has
 * ckpt's control socket; {@link SessionFollower} asks for a round as soon as a followed session's
 * gdb listens, so a session gets the snapshot points made before it started. All gdb talk is in
 * one system job; a round compares, so asking for more rounds than needed is harmless.
 */
public final class SnapPointSync implements IBreakpointListener, IBreakpointManagerListener {

	/** What a session's gdb got for one breakpoint; number -1 when gdb refused it. */
	private record Installed(int number, String location, String condition) {
	}

	private static SnapPointSync instance;

	/** Touched by the job only. */
	private final Map<ILaunch, Map<SnapPointBreakpoint, Installed>> installed = new HashMap<>();
	private final Job job = Job.create(Messages.SnapPointSync_job, this::syncAll);

	private SnapPointSync() {
		job.setSystem(true);
	}

	/** Starts listening to the breakpoint manager (once). */
	public static synchronized void start() {
		if (instance == null) {
			instance = new SnapPointSync();
			IBreakpointManager manager = DebugPlugin.getDefault().getBreakpointManager();
			manager.addBreakpointListener(instance);
			manager.addBreakpointManagerListener(instance);
		}
	}

	/** Asks for a round: every live session's gdb is brought in step, in a job. */
	public static void schedule() {
		start();
		instance.job.schedule();
	}

	@Override
	public void breakpointAdded(IBreakpoint breakpoint) {
		changed(breakpoint);
	}

	@Override
	public void breakpointRemoved(IBreakpoint breakpoint, IMarkerDelta delta) {
		changed(breakpoint);
	}

	@Override
	public void breakpointChanged(IBreakpoint breakpoint, IMarkerDelta delta) {
		changed(breakpoint);
	}

	@Override
	public void breakpointManagerEnablementChanged(boolean enabled) {
		job.schedule();
	}

	private void changed(IBreakpoint breakpoint) {
		if (breakpoint instanceof SnapPointBreakpoint) {
			job.schedule();
		}
	}

	private IStatus syncAll(IProgressMonitor monitor) {
		Map<SnapPointBreakpoint, Installed> wanted = new HashMap<>();
		if (DebugPlugin.getDefault().getBreakpointManager().isEnabled()) {
			for (SnapPointBreakpoint bp : SnapPointBreakpoint.all()) {
				try {
					String location = bp.gdbLocation();
					if (bp.isEnabled() && location != null) {
						wanted.put(bp, new Installed(-1, location, bp.condition()));
					}
				} catch (CoreException e) {
					// its marker went meanwhile: not wanted
				}
			}
		}
		installed.keySet().removeIf(ILaunch::isTerminated);
		for (ILaunch launch : DebugPlugin.getDefault().getLaunchManager().getLaunches()) {
			if (monitor.isCanceled()) {
				return Status.CANCEL_STATUS;
			}
			if (launch.isTerminated()) {
				continue;
			}
			Map<SnapPointBreakpoint, Installed> have = installed.computeIfAbsent(launch, l -> new HashMap<>());
			// Nothing to make or delete: no request, so that gdb is left alone while a launch starts.
			if ((!wanted.isEmpty() || !have.isEmpty()) && hasControlSocket(launch)) {
				try {
					sync(launch, have, wanted, monitor);
				} catch (CoreException e) {
					// gdb is gone or busy; the next round tries again
				}
			}
		}
		return Status.OK_STATUS;
	}

	private static boolean hasControlSocket(ILaunch launch) {
		if (!Sessions.isCLaunch(launch)) {
			return false;
		}
		IProcess gdb = Sessions.gdbProcess(launch);
		return gdb != null && !gdb.isTerminated() && GdbControl.find(Sessions.pid(gdb)) != null;
	}

	/** Deletes in that gdb what is no longer wanted as it was made, then makes what is missing. */
	private static void sync(ILaunch launch, Map<SnapPointBreakpoint, Installed> have,
			Map<SnapPointBreakpoint, Installed> wanted, IProgressMonitor monitor) throws CoreException {
		Set<Integer> inGdb = new HashSet<>();
		for (TimeTravel.SnapPoint p : TimeTravel.snapPoints(launch, monitor)) {
			inGdb.add(p.number());
		}
		List<Integer> doomed = new ArrayList<>();
		for (Iterator<Map.Entry<SnapPointBreakpoint, Installed>> it = have.entrySet().iterator(); it.hasNext();) {
			Map.Entry<SnapPointBreakpoint, Installed> e = it.next();
			Installed want = wanted.get(e.getKey());
			Installed got = e.getValue();
			boolean same = want != null && want.location().equals(got.location())
					&& Objects.equals(want.condition(), got.condition());
			if (got.number() >= 0 && !inGdb.contains(got.number())) {
				it.remove(); // deleted in gdb by hand, or another gdb: made again below if wanted
			} else if (!same) {
				if (got.number() >= 0) {
					doomed.add(got.number());
				}
				it.remove();
			}
		}
		if (!doomed.isEmpty()) {
			TimeTravel.deleteSnapPoints(launch, doomed, monitor);
		}
		for (Map.Entry<SnapPointBreakpoint, Installed> e : wanted.entrySet()) {
			if (have.containsKey(e.getKey())) {
				continue;
			}
			Installed want = e.getValue();
			try {
				TimeTravel.SnapPoint made = TimeTravel.addSnapPoint(launch, want.location(), want.condition(), monitor);
				have.put(e.getKey(), new Installed(made.number(), want.location(), want.condition()));
			} catch (CoreException ex) {
				if (ex.getStatus().getCode() != 0 || ex.getStatus().getException() != null) {
					throw ex; // not gdb's answer: the socket or gdb failed
				}
				// gdb refused it (no such file or line in this program, a bad condition): not again until it changes
				ILog.of(SnapPointSync.class).warn(ex.getMessage());
				have.put(e.getKey(), want);
			}
		}
	}
}
