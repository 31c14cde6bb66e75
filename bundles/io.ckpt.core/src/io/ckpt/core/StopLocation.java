package io.ckpt.core;

/**
 * Where the program stopped when it was saved, as the statefile records it.
 *
 * @param tid      the thread that stopped (written first into the statefile)
 * @param pc       its program counter, as {@code 0x...}
 * @param symbol   the nearest ELF symbol with offset, for example {@code work+0x1f}; may be {@code null}
 * @param function the function as the debugger knew it; {@code null} when saved outside a debugger
 * @param file     the source file as the debugger knew it; may be {@code null}
 * @param line     the source line, 0 when unknown
 */
public record StopLocation(long tid, String pc, String symbol, String function, String file, int line) {

	/** The function, or else the symbol, or else the pc. */
	public String where() {
		if (function != null && !function.isEmpty()) {
			return function;
		}
		if (symbol != null && !symbol.isEmpty()) {
			return symbol;
		}
		return pc == null ? "?" : pc; //$NON-NLS-1$
	}

	/** {@code file:line} with the file's last path segment, or an empty string when unknown. */
	public String fileAndLine() {
		if (file == null || file.isEmpty()) {
			return ""; //$NON-NLS-1$
		}
		String base = file.substring(file.lastIndexOf('/') + 1);
		return line > 0 ? base + ":" + line : base; //$NON-NLS-1$
	}

	/** For example {@code work (loop.c:12)}, or {@code clock_nanosleep+0x23} without source. */
	public String display() {
		String fl = fileAndLine();
		return fl.isEmpty() ? where() : where() + " (" + fl + ")"; //$NON-NLS-1$ //$NON-NLS-2$
	}
}
