package io.ckpt.ui.internal.handlers;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.internal.Selections;

/**
 * Pin / Unpin: a pinned snapshot is never deleted by the retention of automatic snapshots. Pins
 * the selection, or unpins it when all of it is pinned already.
 */
public class PinHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		toggle(Selections.snapshots(Selections.current(event)));
		return null;
	}

	/** Pins the snapshots, or unpins them when they all are pinned. */
	public static void toggle(List<Snapshot> snapshots) {
		SnapshotStore store = SnapshotStore.getDefault();
		boolean allPinned = !snapshots.isEmpty() && snapshots.stream().allMatch(store::isPinned);
		store.setPinned(snapshots, !allPinned);
	}
}
