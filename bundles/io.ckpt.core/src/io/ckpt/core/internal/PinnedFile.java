package io.ckpt.core.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

import io.ckpt.core.SnapshotStore;

/**
 * The file beside the statefiles of a snapshot directory ({@value SnapshotStore#PINNED_FILE})
 * that names the statefiles retention of automatic snapshots keeps: one file name a line.
 */
public final class PinnedFile {

	private PinnedFile() {
	}

	/** The pinned file names in {@code dir}; none when the file is missing or unreadable. */
	public static Set<String> read(Path dir) {
		Path file = dir.resolve(SnapshotStore.PINNED_FILE);
		Set<String> names = new LinkedHashSet<>();
		if (!Files.isRegularFile(file)) {
			return names;
		}
		try {
			for (String line : Files.readAllLines(file)) {
				String name = line.strip();
				// A name with a slash would reach outside the directory: not one of ours.
				if (!name.isEmpty() && name.indexOf('/') < 0) {
					names.add(name);
				}
			}
		} catch (IOException e) {
			// unreadable: nothing pinned
		}
		return names;
	}

	/**
	 * Replaces the file in {@code dir} (atomically) with the names of the pinned statefiles that
	 * still exist there.
	 */
	public static void write(Path dir, Collection<String> names) throws IOException {
		StringBuilder text = new StringBuilder();
		for (String name : names) {
			if (Files.exists(dir.resolve(name))) {
				text.append(name).append('\n');
			}
		}
		Files.createDirectories(dir);
		Path tmp = Files.createTempFile(dir, SnapshotStore.PINNED_FILE, ".tmp"); //$NON-NLS-1$
		try {
			Files.writeString(tmp, text);
			Files.move(tmp, dir.resolve(SnapshotStore.PINNED_FILE), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		} finally {
			Files.deleteIfExists(tmp);
		}
	}
}
