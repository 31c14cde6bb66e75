package io.ckpt.debug;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.ckpt.debug.internal.GdbAnswers;

/**
 * A debug session's timeline as its gdb knows it (the control socket's {@code timeline} op,
 * {@code native/gdb/PROTOCOL.md}): every snapshot saved or restarted in that gdb, oldest first.
 *
 * @param session   the id that the statefiles' annotations carry
 * @param current   the number of the entry the program is at or ran on from, 0 when none
 * @param atCurrent whether the program is exactly there (not resumed since)
 * @param entries   oldest first; entry n is {@code entries.get(n - 1)}
 */
public record Timeline(String session, int current, boolean atCurrent, List<Timeline.Entry> entries) {

	/**
	 * One snapshot of the timeline.
	 *
	 * @param num           its number, from 1
	 * @param path          the statefile
	 * @param origin        manual, breakpoint, step, snappoint or automatic
	 * @param label         one line, may be empty
	 * @param note          free text, may be empty
	 * @param parent        the number of the entry it followed, 0 for none
	 * @param branch        its branch: going back and saving again starts a new one
	 * @param stop          where the program stopped, {@code FUNCTION at FILE:LINE}
	 * @param restarted     a statefile from elsewhere that was restarted in this session
	 * @param overwrittenBy the later entry whose save went to the same file, 0 for none
	 */
	public record Entry(int num, Path path, String origin, String label, String note, int parent, int branch,
			String stop, boolean restarted, int overwrittenBy) {

		/** Whether the debugger made it on its own (at a breakpoint, a step or a signal). */
		public boolean automatic() {
			return "breakpoint".equals(origin) || "step".equals(origin) || "automatic".equals(origin); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		}
	}

	/** The empty timeline of a session that has no snapshot yet. */
	public static final Timeline EMPTY = new Timeline(null, 0, false, List.of());

	/** From the answer of the {@code timeline} op; entries without a path are left out. */
	public static Timeline fromAnswer(GdbAnswers.TimelineAnswer answer) {
		List<Entry> entries = new ArrayList<>();
		for (GdbAnswers.EntryInfo e : answer.entries() == null ? List.<GdbAnswers.EntryInfo>of() : answer.entries()) {
			if (e == null || e.path() == null) {
				continue;
			}
			entries.add(new Entry(e.num(), Path.of(e.path()), text(e.origin()), text(e.label()), text(e.note()),
					orZero(e.parent()), e.branch() == null ? 1 : e.branch(), text(e.stop()), e.restarted(),
					orZero(e.overwrittenBy())));
		}
		return new Timeline(answer.session(), orZero(answer.current()), answer.atCurrent(), List.copyOf(entries));
	}

	/** The entry whose file is this statefile now (not one that was saved over), or {@code null}. */
	public Entry find(Path statefile) {
		Path p = statefile.toAbsolutePath().normalize();
		for (Entry e : entries) {
			if (e.overwrittenBy() == 0 && e.path().toAbsolutePath().normalize().equals(p)) {
				return e;
			}
		}
		return null;
	}

	/** The entry with this number, or {@code null}. */
	public Entry entry(int num) {
		return num >= 1 && num <= entries.size() ? entries.get(num - 1) : null;
	}

	static int orZero(Integer n) {
		return n == null ? 0 : n;
	}

	private static String text(String s) {
		return s == null ? "" : s; //$NON-NLS-1$
	}
}
