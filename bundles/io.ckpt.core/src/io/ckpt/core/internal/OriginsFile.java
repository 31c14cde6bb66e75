package io.ckpt.core.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import io.ckpt.core.SnapshotOrigin;
import io.ckpt.core.SnapshotStore;

/**
 * The file beside the statefiles of a snapshot directory ({@value SnapshotStore#ORIGINS_FILE})
 * that says which debug session each statefile came from, or which file it was imported from: a
 * properties file whose keys are the
 * statefiles' names and whose values are one line of JSON each.
 */
public final class OriginsFile {

	/** An origin as the file keeps it, member for member. */
	private record Stored(String session, String configuration, String type, String started, String importedFrom) {
	}

	private OriginsFile() {
	}

	/** The origins kept in {@code dir}; none when the file is missing or unreadable. */
	public static Map<String, SnapshotOrigin> read(Path dir) {
		Path file = dir.resolve(SnapshotStore.ORIGINS_FILE);
		Map<String, SnapshotOrigin> origins = new HashMap<>();
		if (!Files.isRegularFile(file)) {
			return origins;
		}
		Properties props = new Properties();
		try (InputStream in = Files.newInputStream(file)) {
			props.load(in);
		} catch (IOException e) {
			return origins;
		}
		for (String name : props.stringPropertyNames()) {
			SnapshotOrigin o = parse(props.getProperty(name));
			if (o != null) {
				origins.put(name, o);
			}
		}
		return origins;
	}

	/**
	 * Replaces the file in {@code dir} (atomically) with the origins of the statefiles that still
	 * exist there.
	 */
	public static void write(Path dir, Map<String, SnapshotOrigin> origins) throws IOException {
		Properties props = new Properties();
		for (Map.Entry<String, SnapshotOrigin> e : origins.entrySet()) {
			if (Files.exists(dir.resolve(e.getKey()))) {
				SnapshotOrigin o = e.getValue();
				props.setProperty(e.getKey(), JsonMapping.write(new Stored(o.session(), o.launchConfiguration(),
						o.launchType(), o.started() == null ? null : o.started().toString(), o.importedFrom())));
			}
		}
		Files.createDirectories(dir);
		Path tmp = Files.createTempFile(dir, SnapshotStore.ORIGINS_FILE, ".tmp"); //$NON-NLS-1$
		try {
			try (OutputStream out = Files.newOutputStream(tmp)) {
				props.store(out, "ckpt: the debug session each statefile came from"); //$NON-NLS-1$
			}
			Files.move(tmp, dir.resolve(SnapshotStore.ORIGINS_FILE), StandardCopyOption.REPLACE_EXISTING,
					StandardCopyOption.ATOMIC_MOVE);
		} finally {
			Files.deleteIfExists(tmp);
		}
	}

	private static SnapshotOrigin parse(String json) {
		try {
			Stored s = JsonMapping.read(json, Stored.class);
			return new SnapshotOrigin(s.session(), s.configuration(), s.type(),
					s.started() == null ? null : Instant.parse(s.started()), s.importedFrom());
		} catch (RuntimeException e) {
			return null; // one bad line costs its own origin only
		}
	}
}
