package io.ckpt.ui.internal.views;

import java.time.Instant;
import java.util.List;

import io.ckpt.core.Snapshot;

/**
 * A row of the Snapshots view that holds the statefiles of one debug session, newest first.
 *
 * @param label     the session's label, {@link SnapshotGroups#IMPORTED} or {@link SnapshotGroups#OUTSIDE_THE_IDE}
 * @param snapshots its statefiles, newest first
 * @param latest    when its newest statefile was saved ({@link SnapshotGroups#time})
 */
public record SnapshotGroup(String label, List<Snapshot> snapshots, Instant latest) {
}
