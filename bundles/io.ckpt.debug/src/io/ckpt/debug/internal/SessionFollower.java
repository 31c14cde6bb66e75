package io.ckpt.debug.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.ILaunchesListener2;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.SnapshotStore;
import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.TimeTravel;
import io.ckpt.debug.Timeline;

/**
 * Follows every C/C++ debug session that loads ckpt's gdb extension: once its gdb listens, it
 * sets the session's automatic-snapshot mode (the socket's {@code auto} op, into the session's
 * snapshot directory), then asks for the session's timeline twice a second. New snapshots are
 * recorded in the snapshot store with the session they came from, retention deletes the oldest
 * automatic ones beyond the preference's limits, and listeners hear of every change.
 */
public final class SessionFollower implements ILaunchesListener2 {

	/** Listeners of timelines (see {@link TimeTravel#addListener}). */
	public static final List<TimeTravel.Listener> LISTENERS = new CopyOnWriteArrayList<>();

	private static final long POLL_MS = 500;
	private static final Map<ILaunch, Follower> FOLLOWERS = new ConcurrentHashMap<>();
	/** Launches added whose gdb init file has not been written yet (see {@link GdbInit}). */
	private static final Deque<ILaunch> STARTING = new ArrayDeque<>();
	private static SessionFollower instance;

	private SessionFollower() {
	}

	/**
	 * Starts following launches (once), the ones registered already included. No workbench
	 * startup is needed: {@link GdbInit} calls this when a launch first asks for ckpt's gdb init
	 * file, which the launch manager does after registering the launch and before its gdb starts.
	 */
	public static synchronized void start() {
		if (instance == null) {
			instance = new SessionFollower();
			ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
			manager.addLaunchListener(instance);
			instance.launchesAdded(manager.getLaunches());
			SnapPointSync.start();
		}
	}

	@Override
	public void launchesAdded(ILaunch[] launches) {
		for (ILaunch launch : launches) {
			ILaunchConfiguration config = launch.getLaunchConfiguration();
			if (config != null && !launch.isTerminated() && GdbInit.isEnabled(config) && !FOLLOWERS.containsKey(launch)) {
				synchronized (STARTING) {
					STARTING.addFirst(launch);
				}
				Follower f = new Follower(launch);
				FOLLOWERS.put(launch, f);
				f.schedule();
			}
		}
	}

	@Override
	public void launchesRemoved(ILaunch[] launches) {
		for (ILaunch launch : launches) {
			Follower f = FOLLOWERS.remove(launch);
			if (f != null) {
				f.close();
			}
			synchronized (STARTING) {
				STARTING.remove(launch);
			}
		}
	}

	@Override
	public void launchesChanged(ILaunch[] launches) {
		// processes come and go: the follower looks for gdb at each round
	}

	@Override
	public void launchesTerminated(ILaunch[] launches) {
		launchesRemoved(launches);
	}

	/**
	 * The launch whose gdb init file is being written for {@code userInit} now: the newest one
	 * added that loads ckpt's extension with that user init file. {@code null} when none.
	 */
	static ILaunch takeStarting(String userInit) {
		synchronized (STARTING) {
			for (ILaunch launch : STARTING) {
				ILaunchConfiguration c = launch.getLaunchConfiguration();
				try {
					if (c != null && GdbInit.userInitOf(c.getAttribute(CdtContracts.ATTR_GDB_INIT, "")).equals(userInit)) { //$NON-NLS-1$
						STARTING.remove(launch);
						return launch;
					}
				} catch (CoreException e) {
					// not this one
				}
			}
		}
		return null;
	}

	public static Timeline timeline(ILaunch launch) {
		Follower f = FOLLOWERS.get(launch);
		return f == null ? Timeline.EMPTY : f.timeline;
	}

	/** The live sessions followed. */
	public static List<ILaunch> launches() {
		return FOLLOWERS.keySet().stream().filter(l -> !l.isTerminated()).toList();
	}

	public static ILaunch sessionOf(Path statefile) {
		for (Follower f : FOLLOWERS.values()) {
			if (!f.launch.isTerminated() && f.timeline.find(statefile) != null) {
				return f.launch;
			}
		}
		return null;
	}

	public static Timeline refreshNow(ILaunch launch, IProgressMonitor monitor) throws CoreException {
		Follower f = FOLLOWERS.get(launch);
		if (f == null) {
			throw new CoreException(Status.error(Messages.SessionFollower_notFollowed));
		}
		try {
			return f.round();
		} catch (IOException e) {
			throw new CoreException(Status.error(NLS.bind(Messages.SessionFollower_timelineFailed, e.getMessage()), e));
		}
	}

	/** The mode and directory a session's gdb should save automatic snapshots with; mode off: none. */
	static GdbAnswers.AutoRequest autoRequest(ILaunch launch) {
		return new GdbAnswers.AutoRequest("auto", TimeTravel.autoMode(launch.getLaunchConfiguration()), //$NON-NLS-1$
				TimeTravel.snapshotDirectory(launch).toString());
	}

	/** One session's follower: a system job that runs again every half second while the launch lives. */
	private static final class Follower extends Job {
		final ILaunch launch;
		volatile Timeline timeline = Timeline.EMPTY;
		private GdbControl control;
		private long gdbPid = -1;
		private int recorded; // entries up to this number are in the store
		private String mode;
		private volatile boolean closed;

		Follower(ILaunch launch) {
			super(NLS.bind(Messages.SessionFollower_job, launch.getLaunchConfiguration().getName()));
			this.launch = launch;
			setSystem(true);
		}

		@Override
		protected IStatus run(IProgressMonitor monitor) {
			if (closed || launch.isTerminated()) {
				close();
				return Status.OK_STATUS;
			}
			try {
				round();
			} catch (IOException e) {
				disconnect(); // gdb went away or is busy; try again next round
			} catch (RuntimeException e) {
				ILog.of(SessionFollower.class).error("Following a debug session's snapshots failed", e); //$NON-NLS-1$
			}
			if (!closed && !monitor.isCanceled()) {
				schedule(POLL_MS);
			}
			return Status.OK_STATUS;
		}

		/** Connects when gdb listens, keeps the auto mode in step, and reads the timeline. */
		synchronized Timeline round() throws IOException {
			if (!connect()) {
				return timeline;
			}
			String wanted = TimeTravel.autoMode(launch.getLaunchConfiguration());
			if (!wanted.equals(mode)) {
				GdbAnswers.AutoRequest request = autoRequest(launch);
				Path dir = Path.of(request.dir());
				Files.createDirectories(dir);
				String project = projectOf(launch);
				SnapshotStore.getDefault().addDirectory(dir, project);
				GdbAnswers.Reply answer = control.request(request, GdbAnswers.Reply.class, null, 30_000);
				if (!answer.ok()) {
					throw new IOException(String.valueOf(answer.error()));
				}
				if (mode == null) {
					SnapPointSync.schedule(); // gdb listens (again): it gets the snapshot points
				}
				mode = wanted;
			}
			GdbAnswers.TimelineAnswer answer = control.request(new GdbControl.Request("timeline", null), //$NON-NLS-1$
					GdbAnswers.TimelineAnswer.class, null, 30_000);
			if (!answer.ok()) {
				throw new IOException(String.valueOf(answer.error()));
			}
			Timeline fresh = Timeline.fromAnswer(answer);
			if (!fresh.equals(timeline)) {
				timeline = fresh;
				record(fresh);
				for (TimeTravel.Listener l : LISTENERS) {
					try {
						l.timelineChanged(launch, fresh);
					} catch (RuntimeException e) {
						ILog.of(SessionFollower.class).error("A timeline listener failed", e); //$NON-NLS-1$
					}
				}
			}
			return timeline;
		}

		/** New snapshots join the store with this session as their origin; then retention. */
		private void record(Timeline fresh) {
			SnapshotStore store = SnapshotStore.getDefault();
			String project = projectOf(launch);
			boolean added = false;
			for (Timeline.Entry e : fresh.entries()) {
				if (e.num() > recorded && !e.restarted() && Files.isRegularFile(e.path())) {
					try {
						if (store.find(e.path()).map(s -> s.origin() == null).orElse(true)) {
							store.add(e.path(), Sessions.origin(launch), project);
						}
						added = true;
					} catch (IOException ex) {
						// gone already (retention elsewhere, or the user): nothing to record
					}
				}
			}
			recorded = Math.max(recorded, fresh.entries().size());
			if (added) {
				try {
					TimeTravel.applyRetention(fresh, CorePreferences.keepSnapshots(), CorePreferences.keepBytes());
				} catch (IOException ex) {
					ILog.of(SessionFollower.class).error("Deleting old automatic snapshots failed", ex); //$NON-NLS-1$
				}
			}
		}

		private boolean connect() throws IOException {
			if (control != null) {
				return true;
			}
			IProcess gdb = Sessions.gdbProcess(launch);
			if (gdb == null || gdb.isTerminated()) {
				return false;
			}
			gdbPid = Sessions.pid(gdb);
			control = GdbControl.connect(gdbPid);
			return control != null;
		}

		private void disconnect() {
			if (control != null) {
				control.close();
				control = null;
			}
			mode = null; // a new gdb (or a reloaded extension) is told again
		}

		synchronized void close() {
			closed = true;
			cancel();
			disconnect();
		}
	}

	/** The workspace project of a launch, from CDT's project attribute (or a restart's). */
	static String projectOf(ILaunch launch) {
		ILaunchConfiguration c = launch.getLaunchConfiguration();
		try {
			String p = c == null ? "" : c.getAttribute(CdtContracts.ATTR_PROJECT, ""); //$NON-NLS-1$ //$NON-NLS-2$
			if (p.isEmpty() && c != null) {
				p = c.getAttribute(CkptDebug.ATTR_PROJECT, ""); //$NON-NLS-1$
			}
			return p.isEmpty() ? null : p;
		} catch (CoreException e) {
			return null;
		}
	}
}
