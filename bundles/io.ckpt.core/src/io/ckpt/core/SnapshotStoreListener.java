package io.ckpt.core;

import java.util.Collection;

/** Told about changes in the {@link SnapshotStore}; called on a background thread. */
@FunctionalInterface
public interface SnapshotStoreListener {

	/** What changed. */
	enum Kind {
		/** Statefiles appeared. */
		ADDED,
		/** Statefiles went away. */
		REMOVED,
		/** Statefiles were rewritten, or their origin changed. */
		CHANGED,
		/** The contents of statefiles have been read (or found invalid) and are now cached. */
		METADATA
	}

	void snapshotsChanged(Kind kind, Collection<Snapshot> snapshots);
}
