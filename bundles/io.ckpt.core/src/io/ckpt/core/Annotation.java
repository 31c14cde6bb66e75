package io.ckpt.core;

/**
 * A statefile's place in a debug session's timeline, as its annotation note records it
 * ({@code native/STATEFILE.md}): what made it, its label and note, its number in the session,
 * the session, and the file name of the snapshot it followed. Read from the {@code annotation}
 * member of {@code ckpt info --json} by name.
 *
 * @param origin   {@code manual}, {@code breakpoint}, {@code step}, {@code snappoint} or {@code automatic}
 * @param label    one line, empty when none
 * @param note     free text, empty when none
 * @param sequence the snapshot's number in its session's timeline (1 is the first), 0 when unknown
 * @param session  the session's id (hex), or {@code null}
 * @param parent   file name of the snapshot it followed (in the same directory), or {@code null}
 */
public record Annotation(String origin, String label, String note, int sequence, String session, String parent) {

	/** Absent text members come out empty, so that callers need not test for {@code null}. */
	public Annotation {
		origin = origin == null ? "" : origin; //$NON-NLS-1$
		label = label == null ? "" : label; //$NON-NLS-1$
		note = note == null ? "" : note; //$NON-NLS-1$
	}

	/** Whether it says nothing at all (the engine's answer was an empty object). */
	public boolean isEmpty() {
		return origin.isEmpty() && label.isEmpty() && note.isEmpty() && sequence == 0 && session == null && parent == null;
	}

	/** Whether the debugger made it on its own (at a breakpoint, a step or a signal). */
	public boolean automatic() {
		return "breakpoint".equals(origin) || "step".equals(origin) || "automatic".equals(origin); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}
}
