package io.ckpt.debug;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.internal.CdtContracts;
import io.ckpt.debug.internal.GdbAnswers;
import io.ckpt.debug.internal.GdbControl;
import io.ckpt.debug.internal.Messages;
import io.ckpt.debug.internal.SessionFollower;
import io.ckpt.debug.internal.Sessions;

/**
 * Time travel in a debug session, through the control socket of ckpt's extension in that
 * session's gdb: automatic snapshots (the {@code auto} op), the session's timeline, going back
 * to a snapshot in the same gdb (so the Debug view entry, breakpoints and console stay), the
 * previous and next snapshot, labels and notes, and retention of automatic snapshots. Every
 * method that talks to gdb blocks and must run in a Job.
 */
public final class TimeTravel {

	private static final long RESTART_TIMEOUT_MS = 10 * 60 * 1000L;

	private TimeTravel() {
	}

	/** The automatic-snapshot mode of a launch configuration: its own choice, else the preference. */
	public static String autoMode(ILaunchConfiguration config) {
		if (config != null) {
			try {
				String mode = config.getAttribute(CkptDebug.ATTR_AUTO_SNAPSHOTS, ""); //$NON-NLS-1$
				if (CorePreferences.isAutoMode(mode)) {
					return mode;
				}
			} catch (CoreException e) {
				// the preference decides
			}
		}
		return CorePreferences.autoSnapshots();
	}

	/** Where a launch's statefiles go (the Snapshots tab's directory, else the project's default). */
	public static Path snapshotDirectory(ILaunch launch) {
		ILaunchConfiguration config = launch.getLaunchConfiguration();
		String project = Snapshots.attribute(config, CdtContracts.ATTR_PROJECT, ""); //$NON-NLS-1$
		return SnapshotStore.directoryFor(project.isEmpty() ? null : project,
				Snapshots.attribute(config, CkptDebug.ATTR_SNAPSHOT_DIR, "")); //$NON-NLS-1$
	}

	/** The timeline of a session as last seen (followed sessions are asked twice a second). */
	public static Timeline timeline(ILaunch launch) {
		return SessionFollower.timeline(launch);
	}

	/** The live debug sessions whose timelines ckpt follows (their launches load ckpt's extension). */
	public static List<ILaunch> sessions() {
		return SessionFollower.launches();
	}

	/** The live session whose timeline holds this statefile, or {@code null}. */
	public static ILaunch sessionOf(Path statefile) {
		return SessionFollower.sessionOf(statefile);
	}

	/** Asks the session's gdb for its timeline now, records new snapshots and applies retention. */
	public static Timeline refresh(ILaunch launch, IProgressMonitor monitor) throws CoreException {
		return SessionFollower.refreshNow(launch, monitor);
	}

	/** Tells listeners of a session's timeline when it changes. */
	public interface Listener {
		/** Called on a background thread. */
		void timelineChanged(ILaunch launch, Timeline timeline);
	}

	public static void addListener(Listener l) {
		SessionFollower.LISTENERS.add(l);
	}

	public static void removeListener(Listener l) {
		SessionFollower.LISTENERS.remove(l);
	}

	// --- going back and forth

	/**
	 * Brings the session's program back to the statefile, inside the same gdb: in place when the
	 * snapshot was saved from that very process in this session (only what changed since is
	 * written back), else by replacing it with the one restarted from the statefile. Either way
	 * it lands in the saved thread and frame, and CDT sees a stop there.
	 *
	 * @return the snapshot's number in the session's timeline
	 */
	public static int goBack(ILaunch launch, Path statefile, IProgressMonitor monitor) throws CoreException {
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("op", "restart"); //$NON-NLS-1$ //$NON-NLS-2$
		request.put("path", statefile.toAbsolutePath().toString()); //$NON-NLS-1$
		request.put("in_place", Boolean.TRUE); //$NON-NLS-1$
		return travel(launch, request, monitor);
	}

	/** Goes to the previous snapshot (as {@code ckpt back}) in the same gdb; returns its number. */
	public static int previous(ILaunch launch, IProgressMonitor monitor) throws CoreException {
		return travel(launch, new GdbControl.Request("back", null), monitor); //$NON-NLS-1$
	}

	/** Goes to the next snapshot (as {@code ckpt forward}) in the same gdb; returns its number. */
	public static int next(ILaunch launch, IProgressMonitor monitor) throws CoreException {
		return travel(launch, new GdbControl.Request("forward", null), monitor); //$NON-NLS-1$
	}

	private static int travel(ILaunch launch, Object request, IProgressMonitor monitor) throws CoreException {
		GdbAnswers.Reply answer = ask(launch, request, monitor, RESTART_TIMEOUT_MS);
		SessionFollower.refreshNow(launch, monitor);
		return Timeline.orZero(answer.timeline());
	}

	// --- labels

	/**
	 * Sets a statefile's label and/or note ({@code null}: unchanged; empty: cleared), in the
	 * statefile: through the gdb of the session whose timeline holds it (so that its timeline
	 * follows), else with {@code ckpt label}.
	 */
	public static void label(Path statefile, String label, String note, IProgressMonitor monitor) throws CoreException {
		ILaunch launch = sessionOf(statefile);
		if (launch != null) {
			Map<String, Object> request = new LinkedHashMap<>();
			request.put("op", "label"); //$NON-NLS-1$ //$NON-NLS-2$
			request.put("path", statefile.toAbsolutePath().toString()); //$NON-NLS-1$
			if (label != null) {
				request.put("label", label); //$NON-NLS-1$
			}
			if (note != null) {
				request.put("note", note); //$NON-NLS-1$
			}
			ask(launch, request, monitor, 60_000);
			SessionFollower.refreshNow(launch, monitor);
		} else {
			try {
				Engine.label(statefile, label, note);
			} catch (EngineException e) {
				throw Snapshots.error(0, e.getMessage(), e);
			}
		}
		SnapshotStore.getDefault().refresh();
	}

	// --- snapshot points

	/**
	 * A snapshot point of a session: a gdb breakpoint that saves the program at each hit and lets
	 * it go on ({@code ckpt snappoint}).
	 *
	 * @param number    gdb's breakpoint number
	 * @param location  as given, for example {@code loop.c:21}
	 * @param condition {@code null} for every hit
	 * @param hits      hits with the condition true
	 * @param last      the last statefile it saved, or {@code null}
	 */
	public record SnapPoint(int number, String location, String condition, int hits, Path last) {
	}

	/** The snapshot points of a session. */
	public static List<SnapPoint> snapPoints(ILaunch launch, IProgressMonitor monitor) throws CoreException {
		List<SnapPoint> result = new ArrayList<>();
		List<GdbAnswers.SnapPointInfo> points = ask(launch, new GdbControl.Request("snappoints", null), monitor, 30_000) //$NON-NLS-1$
				.snappoints();
		for (GdbAnswers.SnapPointInfo p : points == null ? List.<GdbAnswers.SnapPointInfo>of() : points) {
			if (p != null) {
				result.add(new SnapPoint(p.number(), p.location(), p.condition(), Timeline.orZero(p.hits()),
						p.last() == null ? null : Path.of(p.last())));
			}
		}
		return result;
	}

	/**
	 * Makes a snapshot point in a session's gdb ({@code ckpt snappoint LOCATION [if CONDITION]}).
	 *
	 * @param location  as gdb takes it, for example {@code loop.c:21}
	 * @param condition {@code null} or empty for every hit
	 */
	public static SnapPoint addSnapPoint(ILaunch launch, String location, String condition, IProgressMonitor monitor)
			throws CoreException {
		Map<String, Object> request = new LinkedHashMap<>();
		request.put("op", "snappoint"); //$NON-NLS-1$ //$NON-NLS-2$
		request.put("location", location); //$NON-NLS-1$
		if (condition != null && !condition.isBlank()) {
			request.put("condition", condition.strip()); //$NON-NLS-1$
		}
		GdbAnswers.Reply m = ask(launch, request, monitor, 30_000);
		return new SnapPoint(Timeline.orZero(m.number()), m.location(), m.condition(), 0, null);
	}

	/** Deletes snapshot points of a session's gdb by their breakpoint numbers. */
	public static void deleteSnapPoints(ILaunch launch, List<Integer> numbers, IProgressMonitor monitor)
			throws CoreException {
		ask(launch, Map.of("op", "snappoint_delete", "numbers", numbers), monitor, 30_000); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	// --- retention

	/**
	 * Deletes a session's oldest automatic snapshots that are not pinned, until at most
	 * {@code keep} of them are left and they take at most {@code keepBytes} on disk. Pinned ones
	 * count and stay; the newest one and the one the program is at stay. Manual saves and
	 * snappoints are never deleted.
	 *
	 * @return the snapshots deleted
	 */
	public static List<Snapshot> applyRetention(Timeline timeline, int keep, long keepBytes) throws IOException {
		SnapshotStore store = SnapshotStore.getDefault();
		List<Timeline.Entry> auto = new ArrayList<>();
		for (Timeline.Entry e : timeline.entries()) {
			if (e.automatic() && !e.restarted() && e.overwrittenBy() == 0 && Files.isRegularFile(e.path())) {
				auto.add(e);
			}
		}
		long bytes = 0;
		Map<Timeline.Entry, Long> sizes = new LinkedHashMap<>();
		for (Timeline.Entry e : auto) {
			long size = allocated(store, e.path());
			sizes.put(e, size);
			bytes += size;
		}
		int count = auto.size();
		List<Snapshot> doomed = new ArrayList<>();
		for (Timeline.Entry e : auto) { // oldest first
			if (count <= keep && bytes <= keepBytes) {
				break;
			}
			if (e == auto.get(auto.size() - 1) || e.num() == timeline.current()) {
				continue;
			}
			Snapshot s = store.find(e.path()).orElse(null);
			if (s == null || store.isPinned(s)) {
				continue;
			}
			doomed.add(s);
			count--;
			bytes -= sizes.get(e);
		}
		store.delete(doomed);
		return doomed;
	}

	private static long allocated(SnapshotStore store, Path path) {
		try {
			Statefile f = store.find(path).isPresent() ? store.metadata(store.find(path).get()) : Engine.inspect(path);
			return f.allocatedBytes() > 0 ? f.allocatedBytes() : Files.size(path);
		} catch (EngineException | IOException e) {
			return 0;
		}
	}

	// --- the socket

	/** Sends one request (a record or a map, see {@link GdbControl#request}) to the session's gdb. */
	static GdbAnswers.Reply ask(ILaunch launch, Object request, IProgressMonitor monitor, long timeoutMillis)
			throws CoreException {
		IProcess gdb = Sessions.gdbProcess(launch);
		if (gdb == null || gdb.isTerminated()) {
			throw Snapshots.error(CkptDebug.STATUS_NOT_SUSPENDED, Messages.TimeTravel_noGdb, null);
		}
		long gdbPid = Sessions.pid(gdb);
		try (GdbControl control = GdbControl.connect(gdbPid)) {
			if (control == null) {
				throw Snapshots.error(CkptDebug.STATUS_NO_EXTENSION,
						NLS.bind(Messages.TimeTravel_noExtension, Long.toString(gdbPid)), null);
			}
			GdbAnswers.Reply answer = control.request(request, GdbAnswers.Reply.class, monitor, timeoutMillis);
			if (!answer.ok()) {
				throw Snapshots.error(0, String.valueOf(answer.error()), null);
			}
			return answer;
		} catch (IOException e) {
			throw Snapshots.error(0, NLS.bind(Messages.Snapshots_gdbFailed, Long.toString(gdbPid), e.getMessage()), e);
		}
	}
}
