package io.ckpt.debug.internal;

import java.util.List;

/**
 * The answers of the time-travel operations of the gdb extension's control socket
 * ({@code native/gdb/PROTOCOL.md}), mapped by name with {@code JsonMapping}: each record's
 * components are the answer's members in camel case; members an answer lacks come out 0,
 * {@code false} or {@code null}.
 */
public final class GdbAnswers {

	private GdbAnswers() {
	}

	/**
	 * The answer of {@code auto}, {@code restart}, {@code back}, {@code forward}, {@code label},
	 * {@code snappoint}, {@code snappoints} and {@code snappoint_delete}: what each op returns
	 * besides {@code ok}.
	 *
	 * @param timeline   the number of the snapshot gone to (restart, back, forward)
	 * @param number     the breakpoint number of the snapshot point made (snappoint)
	 * @param snappoints the session's snapshot points (snappoints)
	 */
	public record Reply(boolean ok, String error, Integer timeline, Integer number, String location, String condition,
			List<SnapPointInfo> snappoints) {
	}

	/** One snapshot point in {@link Reply#snappoints()}; {@code last} is the last statefile it saved. */
	public record SnapPointInfo(int number, String location, String condition, Integer hits, String last) {
	}

	/** The answer of {@code timeline}; {@code current} is {@code null} before the first save or restart. */
	public record TimelineAnswer(boolean ok, String error, String session, Integer current, boolean atCurrent,
			List<EntryInfo> entries) {
	}

	/**
	 * One entry of {@link TimelineAnswer#entries()}; {@code parent} and {@code overwrittenBy} are
	 * {@code null} for none, {@code branch} when the extension leaves it out.
	 */
	public record EntryInfo(int num, String path, String origin, String label, String note, Integer parent,
			Integer branch, String stop, boolean restarted, Integer overwrittenBy) {
	}

	/** The {@code auto} request: the mode of automatic snapshots and the directory they go to. */
	public record AutoRequest(String op, String mode, String dir) {
	}
}
