package io.ckpt.core;

import java.time.Instant;

import io.ckpt.core.internal.JsonMapping;

/**
 * Which debug session a statefile came from.
 *
 * @param session             a label that tells the session apart, for example
 *                            {@code server [C/C++ Application] 2026-11-28 20:01:19}
 * @param launchConfiguration name of the launch configuration, or {@code null}
 * @param launchType          id of its launch configuration type, or {@code null}
 * @param started             when the session started, or {@code null}
 */
public record SnapshotOrigin(String session, String launchConfiguration, String launchType, Instant started) {

	/** The JSON that the origins file keeps for an origin, member for member. */
	private record Stored(String session, String configuration, String type, String started) {
	}

	String toJson() {
		return JsonMapping.write(new Stored(session, launchConfiguration, launchType, started == null ? null : started.toString()));
	}

	static SnapshotOrigin fromJson(String json) {
		try {
			Stored s = JsonMapping.read(json, Stored.class);
			return new SnapshotOrigin(s.session(), s.configuration(), s.type(), s.started() == null ? null : Instant.parse(s.started()));
		} catch (RuntimeException e) {
			return null;
		}
	}
}
