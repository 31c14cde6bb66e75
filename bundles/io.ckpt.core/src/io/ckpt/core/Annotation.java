package io.ckpt.core;

import java.util.Map;

import io.ckpt.core.internal.Json;

/**
 * A statefile's place in a debug session's timeline, as its annotation note records it
 * ({@code native/STATEFILE.md}): what made it, its label and note, its number in the session,
 * the session, and the file name of the snapshot it followed.
 *
 * @param origin   {@code manual}, {@code breakpoint}, {@code step}, {@code snappoint} or {@code automatic}
 * @param label    one line, empty when none
 * @param note     free text, empty when none
 * @param sequence the snapshot's number in its session's timeline (1 is the first), 0 when unknown
 * @param session  the session's id (hex), or {@code null}
 * @param parent   file name of the snapshot it followed (in the same directory), or {@code null}
 */
public record Annotation(String origin, String label, String note, int sequence, String session, String parent) {

	/** The annotation in {@code ckpt info --json}'s object, or {@code null} when it has none. */
	static Annotation fromJson(Map<String, Object> info) {
		Map<String, Object> a = Json.obj(info, "annotation"); //$NON-NLS-1$
		if (a == null || a.isEmpty()) {
			return null;
		}
		return new Annotation(orEmpty(Json.str(a, "origin")), orEmpty(Json.str(a, "label")), orEmpty(Json.str(a, "note")), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				(int) Json.num(a, "sequence", 0), Json.str(a, "session"), Json.str(a, "parent")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	/** Whether the debugger made it on its own (at a breakpoint, a step or a signal). */
	public boolean automatic() {
		return "breakpoint".equals(origin) || "step".equals(origin) || "automatic".equals(origin); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	private static String orEmpty(String s) {
		return s == null ? "" : s; //$NON-NLS-1$
	}
}
