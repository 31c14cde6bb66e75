package io.ckpt.core;

/**
 * One item of a portability check: something a statefile needs from the machine it restarts on,
 * and whether this machine has it. The texts are the engine's own words.
 *
 * @param area    what kind of thing: {@code file} (a file its memory is mapped from), {@code cpu},
 *                {@code vdso}, {@code kernel}, {@code cwd}, {@code open file} or {@code user}
 * @param subject which one, for example the path of a file or {@code instruction sets}
 * @param status  how it came out
 * @param state   what the engine found, for example {@code changed since the snapshot (its build-id differs)}
 * @param remedy  what would let restart work, for a problem; {@code null} when there is nothing to do
 */
public record PortabilityCheck(String area, String subject, CheckStatus status, String state, String remedy) {

	/** Whether this item keeps restart from working here. */
	public boolean isProblem() {
		return status == CheckStatus.PROBLEM;
	}
}
