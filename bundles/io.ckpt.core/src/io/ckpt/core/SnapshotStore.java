package io.ckpt.core;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.SnapshotStoreListener.Kind;
import io.ckpt.core.internal.DirectoryWatcher;
import io.ckpt.core.internal.Messages;
import io.ckpt.core.internal.MetadataCache;
import io.ckpt.core.internal.OriginsFile;
import io.ckpt.core.internal.PinnedFile;
import io.ckpt.core.internal.StatefileCopy;
import io.ckpt.core.internal.WorkspaceDirectories;

/**
 * The statefiles ckpt knows about: those in the snapshot directories it watches, with the session
 * each one came from and their contents, read lazily and cached.
 * <p>
 * By default statefiles go to {@code <project>/.snapshots/}; the preference
 * {@code snapshotDirectory} changes that (see {@link #directoryFor(String)}). The store follows
 * changes on disk (statefiles saved by gdb or the command line appear, deleted ones go) and tells
 * its listeners. The session a statefile came from is kept beside the statefiles, in
 * {@value #ORIGINS_FILE}, and the statefiles that retention keeps in {@value #PINNED_FILE}.
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

	/** How long a rescan waits, so that the bursts of a write, a rename and a delete make one. */
	private static final long RESCAN_DELAY_MS = 100;

	private static SnapshotStore defaultStore;

	/** A snapshot directory: the project it belongs to, and the session each of its statefiles came from. */
	private static final class Dir {
		final Path path;
		final String project;
		Map<String, SnapshotOrigin> origins = new HashMap<>();
		Set<String> pinned = new LinkedHashSet<>();

		Dir(Path path, String project) {
			this.path = path;
			this.project = project;
		}
	}

	private final Map<Path, Dir> dirs = new HashMap<>(); // guarded by this
	private final Map<Path, Snapshot> snapshots = new ConcurrentHashMap<>();
	private final Set<Path> pinnedPaths = ConcurrentHashMap.newKeySet();
	private final List<SnapshotStoreListener> listeners = new CopyOnWriteArrayList<>();
	private final MetadataCache metadata = new MetadataCache(s -> snapshots.containsKey(s.path()),
			read -> fire(Kind.METADATA, read));
	private final DirectoryWatcher watcher = new DirectoryWatcher(
			name -> name.endsWith(EXTENSION) || name.equals(ORIGINS_FILE) || name.equals(PINNED_FILE),
			this::scheduleRescan);
	private final Set<Path> pendingRescans = new LinkedHashSet<>();
	private final Job rescanJob;
	/**
	 * One listing at a time: the job and {@link #add} both list, and a listing taken before a
	 * file appeared (or was deleted) must not be applied after a later one. Taken before {@code this}.
	 */
	private final Object rescanLock = new Object();

	/** An empty store: add directories with {@link #addDirectory(Path, String)}. */
	public SnapshotStore() {
		rescanJob = Job.create(Messages.SnapshotStore_rescanJob, this::rescanPending);
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
				log(e);
			}
		}
	}

	// --- directories

	/** Watches a directory (it need not exist yet) and lists its statefiles. */
	public void addDirectory(Path directory, String project) {
		Path dir = directory.toAbsolutePath().normalize();
		synchronized (this) {
			if (dirs.containsKey(dir)) {
				return;
			}
			dirs.put(dir, new Dir(dir, project));
		}
		watcher.watch(dir);
		rescan(dir);
	}

	/** Stops watching a directory; its statefiles leave the store. */
	public void removeDirectory(Path directory) {
		Path dir = directory.toAbsolutePath().normalize();
		synchronized (rescanLock) {
			synchronized (this) {
				if (dirs.remove(dir) == null) {
					return;
				}
			}
			watcher.unwatch(dir);
			apply(dir, Map.of());
		}
	}

	/** The directories watched. */
	public synchronized List<Path> directories() {
		return List.copyOf(dirs.keySet());
	}

	/** Lists every watched directory again. */
	public void refresh() {
		for (Path dir : directories()) {
			watcher.watch(dir);
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
				d.origins = OriginsFile.read(dir);
				setPinnedNames(d, PinnedFile.read(dir));
				dirs.put(dir, d);
			}
			if (origin != null) {
				d.origins.put(file.getFileName().toString(), origin);
				writeOrigins(d);
			}
		}
		watcher.watch(dir);
		rescan(dir);
		Snapshot s = snapshots.get(file);
		if (s == null) {
			throw new NoSuchFileException(file.toString());
		}
		return s;
	}

	/**
	 * Imports a statefile, for example one a teammate saved: checks that it is one, copies it into
	 * {@code directory} and records it as imported from {@code source}. The copy never replaces a
	 * file (a name that is taken becomes {@code NAME-2.ckpt}, {@code NAME-3.ckpt}, ...), is mode
	 * 0600, keeps the original's holes and modification time, and appears under its final name
	 * only once complete. A statefile that is in {@code directory} already is not copied again.
	 * Blocks: call it in a job.
	 *
	 * @param directory where it goes, normally {@link #directoryFor(String) directoryFor(project)}
	 * @param project   the project whose snapshot directory that is, or {@code null}
	 * @param monitor   progress and cancellation; may be {@code null}
	 * @return the imported statefile, as the store lists it
	 * @throws EngineException            with the engine's one-line reason when {@code source} is
	 *                                    not a statefile (nothing is copied)
	 * @throws OperationCanceledException when cancelled (nothing is left behind)
	 */
	public Snapshot importStatefile(Path source, Path directory, String project, IProgressMonitor monitor)
			throws IOException, EngineException {
		SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.SnapshotStore_importing, source.getFileName()), 20);
		Path file = source.toAbsolutePath().normalize();
		Path dir = directory.toAbsolutePath().normalize();
		Engine.inspect(file);
		sub.worked(1);
		if (sub.isCanceled()) {
			throw new OperationCanceledException();
		}
		Path copy = file.getParent().equals(dir) ? file : StatefileCopy.copyInto(file, dir, sub.split(18));
		SnapshotOrigin origin = copy.equals(file) ? find(file).map(Snapshot::origin).orElse(null)
				: SnapshotOrigin.imported(file, Instant.now());
		Snapshot s = add(copy, origin, project);
		sub.done();
		return s;
	}

	/** Deletes statefiles from disk and from the store. */
	public void delete(Collection<Snapshot> toDelete) throws IOException {
		synchronized (rescanLock) {
			deleteFiles(toDelete);
		}
	}

	private void deleteFiles(Collection<Snapshot> toDelete) throws IOException {
		IOException failure = null;
		List<Snapshot> gone = new ArrayList<>();
		for (Snapshot s : toDelete) {
			try {
				Files.deleteIfExists(s.path());
				if (snapshots.remove(s.path()) != null) {
					gone.add(s);
				}
				metadata.forget(s.path());
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
	private void setPinnedNames(Dir d, Set<String> names) {
		pinnedPaths.removeIf(p -> p.getParent().equals(d.path));
		names.forEach(n -> pinnedPaths.add(d.path.resolve(n)));
		d.pinned = names;
	}

	/** Holds the lock. */
	private void writePinned(Dir d) {
		try {
			PinnedFile.write(d.path, d.pinned);
		} catch (IOException e) {
			log(e);
		}
	}

	// --- contents, read lazily

	/** The contents of a statefile if they have been read already (and the file is unchanged). */
	public Optional<Statefile> cachedMetadata(Snapshot s) {
		return metadata.cached(s);
	}

	/** Why the statefile is not valid, if it has been read and found so. */
	public Optional<String> cachedError(Snapshot s) {
		return metadata.cachedError(s);
	}

	/** Whether the contents have been read (successfully or not). */
	public boolean isMetadataCached(Snapshot s) {
		return metadata.isCached(s);
	}

	/**
	 * Reads a statefile's contents now, on the calling thread (not a UI thread), or returns the
	 * cached ones.
	 */
	public Statefile metadata(Snapshot s) throws EngineException {
		return metadata.get(s);
	}

	/**
	 * Asks for the contents of these statefiles to be read in the background; listeners hear
	 * {@link Kind#METADATA} for them, in batches.
	 */
	public void requestMetadata(Collection<Snapshot> wanted) {
		metadata.request(wanted);
	}

	// --- listing

	private void rescan(Path dir) {
		synchronized (rescanLock) {
			Dir d;
			Map<String, SnapshotOrigin> origins = OriginsFile.read(dir);
			Set<String> pinned = PinnedFile.read(dir);
			synchronized (this) {
				d = dirs.get(dir);
				if (d == null) {
					return;
				}
				d.origins = origins;
				setPinnedNames(d, pinned);
			}
			apply(dir, list(d, origins));
		}
	}

	/** Brings the store in step with a listing of {@code dir}, and tells the listeners. */
	private void apply(Path dir, Map<Path, Snapshot> found) {
		List<Snapshot> added = new ArrayList<>();
		List<Snapshot> changed = new ArrayList<>();
		List<Snapshot> removed = new ArrayList<>();
		synchronized (snapshots) {
			for (Snapshot old : List.copyOf(snapshots.values())) {
				if (old.path().getParent().equals(dir) && !found.containsKey(old.path())) {
					snapshots.remove(old.path());
					metadata.forget(old.path());
					removed.add(old);
				}
			}
			for (Snapshot s : found.values()) {
				Snapshot old = snapshots.put(s.path(), s);
				if (old == null) {
					added.add(s);
				} else if (old.size() != s.size() || !Objects.equals(old.modified(), s.modified())
						|| !Objects.equals(old.origin(), s.origin())) {
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

	/** The statefiles in a directory as the file system sees them now. */
	private static Map<Path, Snapshot> list(Dir d, Map<String, SnapshotOrigin> origins) {
		Map<Path, Snapshot> found = new HashMap<>();
		if (!Files.isDirectory(d.path)) {
			return found;
		}
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(d.path, "*" + EXTENSION)) { //$NON-NLS-1$
			for (Path p : stream) {
				try {
					BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
					if (a.isRegularFile()) {
						Path file = p.toAbsolutePath().normalize();
						found.put(file, new Snapshot(file, a.size(), a.lastModifiedTime().toInstant(),
								origins.get(p.getFileName().toString()), d.project));
					}
				} catch (IOException e) {
					// gone meanwhile
				}
			}
		} catch (IOException e) {
			// unreadable or gone: treat as empty
		}
		return found;
	}

	private void scheduleRescan(Path dir) {
		synchronized (pendingRescans) {
			pendingRescans.add(dir);
		}
		rescanJob.schedule(RESCAN_DELAY_MS);
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

	/** Holds the lock. */
	private void writeOrigins(Dir d) {
		try {
			OriginsFile.write(d.path, d.origins);
		} catch (IOException e) {
			log(e);
		}
	}

	/** Stops watching (for tests and shutdown). */
	public void dispose() {
		watcher.close();
		metadata.dispose();
		rescanJob.cancel();
	}

	private static void log(Throwable t) {
		ILog.of(SnapshotStore.class).log(Status.warning(String.valueOf(t.getMessage()), t));
	}
}
