package io.ckpt.core;

/** How one item of a portability check came out ({@link PortabilityCheck#status()}). */
public enum CheckStatus {
	/** Restart can rely on it. */
	OK,
	/** Worth knowing, and restart can work anyway (a different kernel release, another user). */
	NOTE,
	/** It keeps restart from working here; the check's remedy says what would help. */
	PROBLEM;

	/**
	 * The status for the engine's word ({@code ok}, {@code note}, {@code problem}). A word this
	 * version does not know is a note: whether restart can work is the report's own answer.
	 */
	public static CheckStatus of(String word) {
		if ("ok".equals(word)) { //$NON-NLS-1$
			return OK;
		}
		return "problem".equals(word) ? PROBLEM : NOTE; //$NON-NLS-1$
	}
}
