package io.ckpt.core;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;

import io.ckpt.core.SnapshotStoreListener.Kind;

/**
 * The statefiles ckpt knows about: those in the snapshot directories it watches, with the session
 * each one came from and their contents, read lazily and cached.
 * <p>
 * By default statefiles go to {@code <project>/.snapshots/}; the preference
 * {@code snapshotDirectory} changes that (see {@link #directoryFor(String)}). The store follows
 * changes on disk (statefiles saved by gdb or the command line appear, deleted ones go) and tells
 * its listeners. The session a statefile came from is kept beside the statefiles, in
 * {@value #ORIGINS_FILE}.
 * <p>
 * Thread-safe. Reading contents runs in a background job and never on the caller's thread, except
 * in {@link #metadata(Snapshot)}.
 */
public class SnapshotStore {

	/** File name extension of statefiles. */
	public static final String EXTENSION = ".ckpt"; //$NON-NLS-1$

	/** Id of the content type of statefiles ({@code *.ckpt}). */
	public static final String CONTENT_TYPE = "io.ckpt.core.statefile"; //$NON-NLS-1$

	/** The snapshot directory inside a project, by default. */
	public static final String DEFAULT_FOLDER = ".snapshots"; //$NON-NLS-1$

	/** Per directory: which session each statefile came from. */
	public static final String ORIGINS_FILE = ".ckpt-origins"; //$NON-NLS-1$

	/** Per directory: the statefiles that retention keeps (one file name a line). */
	public static final String PINNED_FILE = ".ckpt-pinned"; //$NON-NLS-1$

	private static final DateTimeFormatter NAME_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"); //$NON-NLS-1$

	private static SnapshotStore defaultStore;

	/** A watched directory. */
	private static final class Dir {
		final Path path;
		final String project;
		WatchKey key;
		WatchKey parentKey;
		Map<String, SnapshotOrigin> origins = new HashMap<>();
		Set<String> pinned = new LinkedHashSet<>();

		Dir(Path path, String project) {
			this.path = path;
			this.project = project;
		}
	}

	/** Cached contents of one statefile, valid while its size and time are unchanged. */
	private record Meta(long size, Instant modified, Statefile statefile, String error) {
	}

	private final Map<Path, Dir> dirs = new HashMap<>();
	private final Map<Path, Snapshot> snapshots = new ConcurrentHashMap<>();
	private final Map<Path, Meta> meta = new ConcurrentHashMap<>();
	private final Set<Path> pinnedPaths = ConcurrentHashMap.newKeySet();
	private final List<SnapshotStoreListener> listeners = new CopyOnWriteArrayList<>();
	private final ArrayDeque<Snapshot> metaQueue = new ArrayDeque<>();
	private final Set<Path> metaQueued = new LinkedHashSet<>();
	private final Set<Path> pendingRescans = new LinkedHashSet<>();
	private final Job metadataJob;
	private final Job rescanJob;
	private WatchService watcher;
	private Thread watchThread;

	/** An empty store: add directories with {@link #addDirectory(Path, String)}. */
	public SnapshotStore() {
		metadataJob = Job.create("Reading statefiles", this::readQueuedMetadata); //$NON-NLS-1$
		metadataJob.setSystem(true);
		rescanJob = Job.create("Looking for statefiles", this::rescanPending); //$NON-NLS-1$
		rescanJob.setSystem(true);
	}

	/**
	 * The store of the running workbench, watching the snapshot directory of every open project,
	 * and the configured directory.
	 */
	public static synchronized SnapshotStore getDefault() {
		if (defaultStore == null) {
			defaultStore = new SnapshotStore();
			WorkspaceDirectories.track(defaultStore);
		}
		return defaultStore;
	}

	/**
	 * Where statefiles of a project's sessions go: {@code <project>/.snapshots} by default; the
	 * preference {@code snapshotDirectory} replaces it, inside the project when relative.
	 * Without a project: the preference when it is absolute, else {@code .snapshots} in the
	 * workspace folder.
	 *
	 * @param project name of a workspace project, or {@code null}
	 */
	public static Path directoryFor(String project) {
		return WorkspaceDirectories.directoryFor(project, null);
	}

	/** Like {@link #directoryFor(String)}, with a directory chosen for one launch (empty: none). */
	public static Path directoryFor(String project, String override) {
		return WorkspaceDirectories.directoryFor(project, override);
	}

	/** A new statefile name in {@code dir}: {@code <program>-<yyyymmdd-hhmmss>.ckpt}, made unique. */
	public static Path newStatefilePath(Path dir, String program) {
		String base = (program == null || program.isBlank() ? "program" : program.substring(program.lastIndexOf('/') + 1)) //$NON-NLS-1$
				+ "-" + LocalDateTime.now().format(NAME_TIME); //$NON-NLS-1$
		Path p = dir.resolve(base + EXTENSION);
		for (int i = 2; Files.exists(p); i++) {
			p = dir.resolve(base + "-" + i + EXTENSION); //$NON-NLS-1$
		}
		return p;
	}

	// --- listeners

	public void addListener(SnapshotStoreListener listener) {
		listeners.add(listener);
	}

	public void removeListener(SnapshotStoreListener listener) {
		listeners.remove(listener);
	}

	private void fire(Kind kind, Collection<Snapshot> changed) {
		if (changed.isEmpty()) {
			return;
		}
		List<Snapshot> copy = List.copyOf(changed);
		for (SnapshotStoreListener l : listeners) {
			try {
				l.snapshotsChanged(kind, copy);
			} catch (RuntimeException e) {
				Platform.log(e);
			}
		}
	}

	// --- directories

	/** Watches a directory (it need not exist yet) and lists its statefiles. */
	public void addDirectory(Path directory, String project) {
		Path dir = directory.toAbsolutePath().normalize();
		Dir d;
		synchronized (this) {
			if (dirs.containsKey(dir)) {
				return;
			}
			d = new Dir(dir, project);
			dirs.put(dir, d);
			watch(d);
		}
		rescan(dir);
	}

	/** Stops watching a directory; its statefiles leave the store. */
	public void removeDirectory(Path directory) {
		Path dir = directory.toAbsolutePath().normalize();
		synchronized (this) {
			Dir d = dirs.remove(dir);
			if (d == null) {
				return;
			}
			if (d.key != null) {
				d.key.cancel();
			}
			if (d.parentKey != null) {
				d.parentKey.cancel();
			}
		}
		List<Snapshot> gone = new ArrayList<>();
		for (Snapshot s : List.copyOf(snapshots.values())) {
			if (s.path().getParent().equals(dir) && snapshots.remove(s.path()) != null) {
				gone.add(s);
			}
		}
		fire(Kind.REMOVED, gone);
	}

	/** The directories watched. */
	public synchronized List<Path> directories() {
		return List.copyOf(dirs.keySet());
	}

	/** Lists every watched directory again. */
	public void refresh() {
		List<Path> all;
		synchronized (this) {
			all = List.copyOf(dirs.keySet());
			for (Dir d : dirs.values()) {
				watch(d);
			}
		}
		for (Path dir : all) {
			rescan(dir);
		}
	}

	// --- statefiles

	/** Every statefile known, newest first. */
	public List<Snapshot> snapshots() {
		List<Snapshot> list = new ArrayList<>(snapshots.values());
		list.sort(Comparator.comparing(Snapshot::modified, Comparator.nullsLast(Comparator.reverseOrder())));
		return list;
	}

	/** The statefile at {@code path}, if the store knows it. */
	public Optional<Snapshot> find(Path path) {
		return Optional.ofNullable(snapshots.get(path.toAbsolutePath().normalize()));
	}

	/**
	 * Records a statefile that was just written, with the session it came from, and watches its
	 * directory from now on.
	 *
	 * @param project the project whose snapshot directory it is in, or {@code null}
	 */
	public Snapshot add(Path statefile, SnapshotOrigin origin, String project) throws IOException {
		Path file = statefile.toAbsolutePath().normalize();
		Path dir = file.getParent();
		synchronized (this) {
			Dir d = dirs.get(dir);
			if (d == null) {
				d = new Dir(dir, project);
				dirs.put(dir, d);
				readOrigins(d);
			}
			watch(d);
			if (origin != null) {
				d.origins.put(file.getFileName().toString(), origin);
				writeOrigins(d);
			}
		}
		rescan(dir);
		Snapshot s = snapshots.get(file);
		if (s == null) {
			throw new NoSuchFileException(file.toString());
		}
		return s;
	}

	/** Deletes statefiles from disk and from the store. */
	public void delete(Collection<Snapshot> toDelete) throws IOException {
		IOException failure = null;
		List<Snapshot> gone = new ArrayList<>();
		for (Snapshot s : toDelete) {
			try {
				Files.deleteIfExists(s.path());
				if (snapshots.remove(s.path()) != null) {
					gone.add(s);
				}
				meta.remove(s.path());
			} catch (IOException e) {
				failure = e;
			}
		}
		synchronized (this) {
			for (Snapshot s : gone) {
				Dir d = dirs.get(s.path().getParent());
				if (d != null && d.origins.remove(s.path().getFileName().toString()) != null) {
					writeOrigins(d);
				}
				if (d != null && d.pinned.remove(s.path().getFileName().toString())) {
					writePinned(d);
				}
				pinnedPaths.remove(s.path());
			}
		}
		fire(Kind.REMOVED, gone);
		if (failure != null) {
			throw failure;
		}
	}

	// --- pins: what automatic retention never deletes

	/** Whether a statefile is pinned: retention of automatic snapshots keeps it. */
	public boolean isPinned(Snapshot s) {
		return pinnedPaths.contains(s.path()); // no lock: every row of the view asks
	}


	/** Pins or unpins statefiles; kept beside them in {@value #PINNED_FILE}. */
	public void setPinned(Collection<Snapshot> which, boolean pinned) {
		List<Snapshot> changed = new ArrayList<>();
		synchronized (this) {
			Set<Dir> touched = new LinkedHashSet<>();
			for (Snapshot s : which) {
				Dir d = dirs.get(s.path().getParent());
				String name = s.path().getFileName().toString();
				if (d != null && (pinned ? d.pinned.add(name) : d.pinned.remove(name))) {
					touched.add(d);
					changed.add(s);
				}
				if (d != null) {
					if (pinned) {
						pinnedPaths.add(s.path());
					} else {
						pinnedPaths.remove(s.path());
					}
				}
			}
			touched.forEach(this::writePinned);
		}
		fire(Kind.CHANGED, changed);
	}

	/** Holds the lock. */
	private void readPinned(Dir d) {
		Path file = d.path.resolve(PINNED_FILE);
		Set<String> names = new LinkedHashSet<>();
		try {
			if (Files.isRegularFile(file)) {
				for (String line : Files.readAllLines(file)) {
					if (!line.isBlank() && line.indexOf('/') < 0) {
						names.add(line.strip());
					}
				}
			}
		} catch (IOException e) {
			// unreadable: nothing pinned
		}
		pinnedPaths.removeIf(p -> p.getParent().equals(d.path));
		names.forEach(n -> pinnedPaths.add(d.path.resolve(n)));
		d.pinned = names;
	}

	/** Holds the lock. */
	private void writePinned(Dir d) {
		StringBuilder text = new StringBuilder();
		for (String name : d.pinned) {
			if (Files.exists(d.path.resolve(name))) {
				text.append(name).append('\n');
			}
		}
		try {
			Files.createDirectories(d.path);
			Path tmp = Files.createTempFile(d.path, PINNED_FILE, ".tmp"); //$NON-NLS-1$
			Files.writeString(tmp, text);
			Files.move(tmp, d.path.resolve(PINNED_FILE), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		} catch (IOException e) {
			Platform.log(e);
		}
	}

	// --- contents, read lazily

	/** The contents of a statefile if they have been read already (and the file is unchanged). */
	public Optional<Statefile> cachedMetadata(Snapshot s) {
		Meta m = validMeta(s);
		return m == null ? Optional.empty() : Optional.ofNullable(m.statefile);
	}

	/** Why the statefile is not valid, if it has been read and found so. */
	public Optional<String> cachedError(Snapshot s) {
		Meta m = validMeta(s);
		return m == null ? Optional.empty() : Optional.ofNullable(m.error);
	}

	/** Whether the contents have been read (successfully or not). */
	public boolean isMetadataCached(Snapshot s) {
		return validMeta(s) != null;
	}

	private Meta validMeta(Snapshot s) {
		Meta m = meta.get(s.path());
		return m != null && m.size == s.size() && java.util.Objects.equals(m.modified, s.modified()) ? m : null;
	}

	/**
	 * Reads a statefile's contents now, on the calling thread (not a UI thread), or returns the
	 * cached ones.
	 */
	public Statefile metadata(Snapshot s) throws EngineException {
		Meta m = validMeta(s);
		if (m == null) {
			m = read(s);
		}
		if (m.statefile == null) {
			throw new EngineException(m.error);
		}
		return m.statefile;
	}

	private Meta read(Snapshot s) {
		Meta m;
		try {
			m = new Meta(s.size(), s.modified(), Engine.inspect(s.path()), null);
		} catch (EngineException e) {
			m = new Meta(s.size(), s.modified(), null, e.getReason());
		} catch (RuntimeException e) { // engine not found
			m = new Meta(s.size(), s.modified(), null, String.valueOf(e.getMessage()));
		}
		meta.put(s.path(), m);
		return m;
	}

	/**
	 * Asks for the contents of these statefiles to be read in the background; listeners hear
	 * {@link Kind#METADATA} for them, in batches.
	 */
	public void requestMetadata(Collection<Snapshot> wanted) {
		boolean any = false;
		synchronized (metaQueue) {
			for (Snapshot s : wanted) {
				if (validMeta(s) == null && metaQueued.add(s.path())) {
					metaQueue.add(s);
					any = true;
				}
			}
		}
		if (any) {
			metadataJob.schedule();
		}
	}

	private IStatus readQueuedMetadata(IProgressMonitor monitor) {
		List<Snapshot> batch = new ArrayList<>();
		long lastFire = System.nanoTime();
		while (!monitor.isCanceled()) {
			Snapshot s;
			synchronized (metaQueue) {
				s = metaQueue.poll();
				if (s != null) {
					metaQueued.remove(s.path());
				}
			}
			if (s == null) {
				break;
			}
			if (snapshots.containsKey(s.path()) && validMeta(s) == null) {
				read(s);
				batch.add(s);
			}
			if (batch.size() >= 100 || System.nanoTime() - lastFire > 200_000_000L) {
				fire(Kind.METADATA, batch);
				batch = new ArrayList<>();
				lastFire = System.nanoTime();
			}
		}
		fire(Kind.METADATA, batch);
		return Status.OK_STATUS;
	}

	// --- scanning and watching

	private void rescan(Path dir) {
		Dir d;
		synchronized (this) {
			d = dirs.get(dir);
			if (d == null) {
				return;
			}
			readOrigins(d);
		}
		Map<Path, Snapshot> found = new HashMap<>();
		if (Files.isDirectory(dir)) {
			try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + EXTENSION)) { //$NON-NLS-1$
				for (Path p : stream) {
					try {
						BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
						if (a.isRegularFile()) {
							Path file = p.toAbsolutePath().normalize();
							SnapshotOrigin origin;
							synchronized (this) {
								origin = d.origins.get(p.getFileName().toString());
							}
							found.put(file, new Snapshot(file, a.size(), a.lastModifiedTime().toInstant(), origin, d.project));
						}
					} catch (IOException e) {
						// gone meanwhile
					}
				}
			} catch (IOException e) {
				// unreadable or gone: treat as empty
			}
		}
		List<Snapshot> added = new ArrayList<>();
		List<Snapshot> changed = new ArrayList<>();
		List<Snapshot> removed = new ArrayList<>();
		synchronized (snapshots) {
			for (Snapshot old : List.copyOf(snapshots.values())) {
				if (old.path().getParent().equals(dir) && !found.containsKey(old.path())) {
					snapshots.remove(old.path());
					meta.remove(old.path());
					removed.add(old);
				}
			}
			for (Snapshot s : found.values()) {
				Snapshot old = snapshots.put(s.path(), s);
				if (old == null) {
					added.add(s);
				} else if (old.size() != s.size() || !java.util.Objects.equals(old.modified(), s.modified())
						|| !java.util.Objects.equals(old.origin(), s.origin())) {
					changed.add(s);
				} else {
					snapshots.put(s.path(), old);
				}
			}
		}
		fire(Kind.REMOVED, removed);
		fire(Kind.ADDED, added);
		fire(Kind.CHANGED, changed);
	}

	private void scheduleRescan(Path dir) {
		synchronized (pendingRescans) {
			pendingRescans.add(dir);
		}
		rescanJob.schedule(100); // coalesces the bursts of a write, a rename and a delete
	}

	private IStatus rescanPending(IProgressMonitor monitor) {
		List<Path> todo;
		synchronized (pendingRescans) {
			todo = List.copyOf(pendingRescans);
			pendingRescans.clear();
		}
		for (Path dir : todo) {
			rescan(dir);
		}
		return Status.OK_STATUS;
	}

	/** Registers a watch on the directory, or on its parent until it exists. Holds the lock. */
	private void watch(Dir d) {
		try {
			if (watcher == null) {
				watcher = d.path.getFileSystem().newWatchService();
				watchThread = new Thread(this::watchLoop, "ckpt snapshot directories"); //$NON-NLS-1$
				watchThread.setDaemon(true);
				watchThread.start();
			}
			if (Files.isDirectory(d.path)) {
				if (d.key == null || !d.key.isValid()) {
					d.key = d.path.register(watcher, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
				}
			} else if (d.path.getParent() != null && Files.isDirectory(d.path.getParent())
					&& (d.parentKey == null || !d.parentKey.isValid())) {
				d.parentKey = d.path.getParent().register(watcher, ENTRY_CREATE);
			}
		} catch (IOException e) {
			// Not watchable: the directory is still listed on refresh.
		}
	}

	private void watchLoop() {
		while (true) {
			WatchKey key;
			try {
				key = watcher.take();
			} catch (InterruptedException | ClosedWatchServiceException e) {
				return;
			}
			Path watched = (Path) key.watchable();
			Set<Path> toScan = new LinkedHashSet<>();
			for (var event : key.pollEvents()) {
				synchronized (this) {
					if (event.kind() == OVERFLOW) {
						toScan.add(watched);
						continue;
					}
					Path name = (Path) event.context();
					Dir d = dirs.get(watched);
					if (d != null) {
						String n = name.toString();
						if (n.endsWith(EXTENSION) || n.equals(ORIGINS_FILE) || n.equals(PINNED_FILE)) {
							toScan.add(watched);
						}
					}
					// A snapshot directory that did not exist yet was created in a watched parent.
					Dir child = dirs.get(watched.resolve(name));
					if (child != null) {
						watch(child);
						toScan.add(child.path);
					}
				}
			}
			if (!key.reset()) {
				// The directory itself went away: watch for it to come back.
				synchronized (this) {
					Dir d = dirs.get(watched);
					if (d != null) {
						d.key = null;
						watch(d);
						toScan.add(watched);
					}
				}
			}
			for (Path p : toScan) {
				scheduleRescan(p);
			}
		}
	}

	// --- origins

	/** Holds the lock. */
	private void readOrigins(Dir d) {
		readPinned(d);
		Path file = d.path.resolve(ORIGINS_FILE);
		Map<String, SnapshotOrigin> origins = new HashMap<>();
		if (Files.isRegularFile(file)) {
			Properties props = new Properties();
			try (InputStream in = Files.newInputStream(file)) {
				props.load(in);
			} catch (IOException e) {
				// unreadable: no origins
			}
			for (String name : props.stringPropertyNames()) {
				SnapshotOrigin o = SnapshotOrigin.fromJson(props.getProperty(name));
				if (o != null) {
					origins.put(name, o);
				}
			}
		}
		d.origins = origins;
	}

	/** Holds the lock. */
	private void writeOrigins(Dir d) {
		Properties props = new Properties();
		for (Map.Entry<String, SnapshotOrigin> e : d.origins.entrySet()) {
			if (Files.exists(d.path.resolve(e.getKey()))) {
				props.setProperty(e.getKey(), e.getValue().toJson());
			}
		}
		try {
			Files.createDirectories(d.path);
			Path tmp = Files.createTempFile(d.path, ORIGINS_FILE, ".tmp"); //$NON-NLS-1$
			try (OutputStream out = Files.newOutputStream(tmp)) {
				props.store(out, "ckpt: the debug session each statefile came from"); //$NON-NLS-1$
			}
			Files.move(tmp, d.path.resolve(ORIGINS_FILE), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		} catch (IOException e) {
			Platform.log(e);
		}
	}

	/** Stops watching (for tests and shutdown). */
	public synchronized void dispose() {
		try {
			if (watcher != null) {
				watcher.close();
			}
		} catch (IOException e) {
			// closing anyway
		}
		watcher = null;
		metadataJob.cancel();
		rescanJob.cancel();
	}

	/** Logging without a dependency on the runtime's log when it is not there. */
	static final class Platform {
		private Platform() {
		}

		static void log(Throwable t) {
			try {
				org.eclipse.core.runtime.ILog.of(SnapshotStore.class)
						.log(new Status(IStatus.WARNING, Engine.PLUGIN_ID, String.valueOf(t.getMessage()), t));
			} catch (LinkageError | RuntimeException e) {
				t.printStackTrace();
			}
		}
	}
}
