package io.ckpt.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A statefile known to the {@link SnapshotStore}: what the file system says about it, and where it
 * came from. Its contents ({@link Statefile}) are read lazily through the store.
 */
public final class Snapshot {

	private final Path path;
	private final long size;
	private final Instant modified;
	private final SnapshotOrigin origin;
	private final String project;

	public Snapshot(Path path, long size, Instant modified, SnapshotOrigin origin, String project) {
		this.path = Objects.requireNonNull(path);
		this.size = size;
		this.modified = modified;
		this.origin = origin;
		this.project = project;
	}

	/** The statefile. */
	public Path path() {
		return path;
	}

	/** The file name without {@code .ckpt}. */
	public String name() {
		String n = path.getFileName().toString();
		return n.endsWith(SnapshotStore.EXTENSION) ? n.substring(0, n.length() - SnapshotStore.EXTENSION.length()) : n;
	}

	/** Apparent size of the file in bytes. */
	public long size() {
		return size;
	}

	/** When the file was last written. */
	public Instant modified() {
		return modified;
	}

	/** The session it came from, or {@code null} when unknown (saved outside the IDE). */
	public SnapshotOrigin origin() {
		return origin;
	}

	/** The workspace project whose snapshot directory holds it, or {@code null}. */
	public String project() {
		return project;
	}

	@Override
	public boolean equals(Object obj) {
		return obj instanceof Snapshot s && s.path.equals(path);
	}

	@Override
	public int hashCode() {
		return path.hashCode();
	}

	@Override
	public String toString() {
		return path.toString();
	}
}
