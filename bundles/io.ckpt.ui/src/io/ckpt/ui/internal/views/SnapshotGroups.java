package io.ckpt.ui.internal.views;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.ckpt.core.Snapshot;
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

	private volatile List<SnapshotGroup> groups = List.of();

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
		sorted.sort((x, y) -> time(y).compareTo(time(x)));
		Map<String, List<Snapshot>> byLabel = new LinkedHashMap<>();
		for (Snapshot s : sorted) {
			byLabel.computeIfAbsent(labelOf(s), k -> new ArrayList<>()).add(s);
		}
		List<SnapshotGroup> result = new ArrayList<>();
		byLabel.forEach((label, list) -> result.add(new SnapshotGroup(label, List.copyOf(list))));
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

	/** When the file was written: orders rows and groups (the same as the saved time, and known at once). */
	static Instant time(Snapshot s) {
		return s.modified() == null ? Instant.EPOCH : s.modified();
	}
}
