package io.ckpt.core;

import java.time.Instant;

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
}
