package io.ckpt.core;

import java.nio.file.Path;
import java.time.Instant;

/**
 * Where a statefile came from: the debug session that saved it, or the file it was imported from.
 *
 * @param session             a label that tells the session apart, for example
 *                            {@code server [C/C++ Application] 2026-11-28 20:01:19}; {@code null}
 *                            for an imported statefile
 * @param launchConfiguration name of the launch configuration, or {@code null}
 * @param launchType          id of its launch configuration type, or {@code null}
 * @param started             when the session started, or when the statefile was imported; or {@code null}
 * @param importedFrom        the file it was imported from (see {@link SnapshotStore#importStatefile}),
 *                            or {@code null} when a session here saved it
 */
public record SnapshotOrigin(String session, String launchConfiguration, String launchType, Instant started,
		String importedFrom) {

	/** The origin of a statefile that a debug session saved. */
	public SnapshotOrigin(String session, String launchConfiguration, String launchType, Instant started) {
		this(session, launchConfiguration, launchType, started, null);
	}

	/** The origin of a statefile imported from {@code source} at {@code when}. */
	public static SnapshotOrigin imported(Path source, Instant when) {
		return new SnapshotOrigin(null, null, null, when, source.toAbsolutePath().normalize().toString());
	}

	/** Whether it was imported rather than saved by a session here. */
	public boolean isImported() {
		return importedFrom != null;
	}
}
