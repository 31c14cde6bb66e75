package io.ckpt.ui.internal.views;

import java.time.Instant;
import java.util.List;

import io.ckpt.core.Snapshot;

/**
 * A row of the Snapshots view that holds the statefiles of one debug session, newest first.
 *
 * @param label     the session's label, {@link SnapshotGroups#IMPORTED} or {@link SnapshotGroups#OUTSIDE_THE_IDE}
 * @param snapshots its statefiles, newest first
 */
public record SnapshotGroup(String label, List<Snapshot> snapshots) {

	/** When its newest statefile was written. */
	public Instant latest() {
		return snapshots.isEmpty() ? Instant.EPOCH : SnapshotGroups.time(snapshots.get(0));
	}
}
