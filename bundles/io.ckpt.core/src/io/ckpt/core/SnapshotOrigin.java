package io.ckpt.core;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import io.ckpt.core.internal.Json;

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

	String toJson() {
		Map<String, Object> m = new LinkedHashMap<>();
		m.put("session", session); //$NON-NLS-1$
		m.put("configuration", launchConfiguration); //$NON-NLS-1$
		m.put("type", launchType); //$NON-NLS-1$
		m.put("started", started == null ? null : started.toString()); //$NON-NLS-1$
		return Json.write(m);
	}

	static SnapshotOrigin fromJson(String json) {
		try {
			Map<String, Object> m = Json.parseObject(json);
			String started = Json.str(m, "started"); //$NON-NLS-1$
			return new SnapshotOrigin(Json.str(m, "session"), Json.str(m, "configuration"), Json.str(m, "type"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
					started == null ? null : Instant.parse(started));
		} catch (RuntimeException e) {
			return null;
		}
	}
}
