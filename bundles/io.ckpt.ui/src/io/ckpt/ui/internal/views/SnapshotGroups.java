package io.ckpt.ui.internal.views;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.ui.internal.Messages;

/**
 * The model of the Snapshots view: statefiles grouped by the debug session that saved them. Groups
 * come newest first; then the statefiles imported from elsewhere (a teammate's), then those that
 * no IDE session made (gdb's {@code ckpt save}, the command line).
 */
public final class SnapshotGroups {

	/** The group of statefiles that no IDE session made (gdb's ckpt save, the command line). */
	public static final String OUTSIDE_THE_IDE = Messages.SnapshotGroups_outsideTheIde;

	/** The group of statefiles imported into a snapshot directory (Import Snapshot, a drop onto the view). */
	public static final String IMPORTED = Messages.SnapshotGroups_imported;

	private final SnapshotStore store;
	/** Saved times of the statefiles whose contents have been read (they no longer change). */
	private final Map<Path, Instant> savedTimes = new ConcurrentHashMap<>();
	private volatile List<SnapshotGroup> groups = List.of();

	/** Groups of the statefiles of this store, ordered by the saved times it has read. */
	public SnapshotGroups(SnapshotStore store) {
		this.store = store;
	}

	/** The groups, as of the last {@link #update}. */
	public List<SnapshotGroup> groups() {
		return groups;
	}

	public boolean isEmpty() {
		return groups.isEmpty();
	}

	/** Groups these statefiles anew. */
	public void update(Collection<Snapshot> snapshots) {
		List<Snapshot> sorted = new ArrayList<>(snapshots);
		Map<Snapshot, Instant> times = new HashMap<>();
		sorted.forEach(s -> times.put(s, time(s))); // fixed keys: contents may arrive meanwhile
		sorted.sort((x, y) -> times.get(y).compareTo(times.get(x)));
		Map<String, List<Snapshot>> byLabel = new LinkedHashMap<>();
		for (Snapshot s : sorted) {
			byLabel.computeIfAbsent(labelOf(s), k -> new ArrayList<>()).add(s);
		}
		List<SnapshotGroup> result = new ArrayList<>();
		byLabel.forEach((label, list) -> result.add(new SnapshotGroup(label, List.copyOf(list), times.get(list.get(0)))));
		result.sort((x, y) -> {
			int byKind = Integer.compare(rank(x), rank(y));
			return byKind != 0 ? byKind : y.latest().compareTo(x.latest());
		});
		groups = List.copyOf(result);
	}

	/** The group that holds a statefile, if it is shown. */
	public Optional<SnapshotGroup> groupOf(Snapshot s) {
		return groups.stream().filter(g -> g.snapshots().contains(s)).findFirst();
	}

	/** The group of a session, by its label. */
	public Optional<SnapshotGroup> find(String label) {
		return groups.stream().filter(g -> g.label().equals(label)).findFirst();
	}

	/** Sessions first, then the imported statefiles, then those saved outside the IDE. */
	private static int rank(SnapshotGroup g) {
		return g.label().equals(OUTSIDE_THE_IDE) ? 2 : g.label().equals(IMPORTED) ? 1 : 0;
	}

	private static String labelOf(Snapshot s) {
		if (s.origin() != null && s.origin().isImported()) {
			return IMPORTED;
		}
		return s.origin() == null || s.origin().session() == null ? OUTSIDE_THE_IDE : s.origin().session();
	}

	/**
	 * When it was saved: orders rows and groups. The file's time until its contents have been
	 * read once (about the same, and known at once); the saved time from then on, so that a
	 * statefile whose label was rewritten in place keeps its place.
	 */
	public Instant time(Snapshot s) {
		Instant saved = savedTimes.get(s.path());
		if (saved == null) {
			saved = store.cachedMetadata(s).map(Statefile::time).orElse(null);
			if (saved != null) {
				savedTimes.put(s.path(), saved);
			}
		}
		return saved != null ? saved : s.modified() == null ? Instant.EPOCH : s.modified();
	}

	/**
	 * Notes the saved times of statefiles whose contents arrived; {@code true} when one of them
	 * was saved long before its file was complete (or copied), so that its place changes.
	 */
	public boolean contentsArrived(Collection<Snapshot> read) {
		boolean moved = false;
		for (Snapshot s : read) {
			Instant saved = store.cachedMetadata(s).map(Statefile::time).orElse(null);
			if (saved != null && savedTimes.putIfAbsent(s.path(), saved) == null && s.modified() != null
					&& Math.abs(saved.toEpochMilli() - s.modified().toEpochMilli()) > 2000) {
				moved = true;
			}
		}
		return moved;
	}

	/** Forgets the saved times of statefiles that are gone. */
	public void removed(Collection<Snapshot> gone) {
		gone.forEach(s -> savedTimes.remove(s.path()));
	}
}
