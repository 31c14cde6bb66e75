package io.ckpt.core;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;

import io.ckpt.core.internal.Messages;

/**
 * An engine operation failed. The status message is the engine's own one-line reason (for
 * example {@code not a ckpt statefile: bad ELF magic}); {@link #getReason()} returns it alone.
 */
public class EngineException extends CoreException {

	private static final long serialVersionUID = 1L;

	private final String reason;

	public EngineException(String reason) {
		this(reason, null);
	}

	public EngineException(String reason, Throwable cause) {
		super(new Status(IStatus.ERROR, Engine.PLUGIN_ID, oneLine(reason), cause));
		this.reason = oneLine(reason);
	}

	/** The engine's one-line reason. */
	public String getReason() {
		return reason;
	}

	/** Keeps the last non-empty line, without the {@code ckpt: } prefix of the command line tool. */
	static String oneLine(String text) {
		if (text == null || text.isBlank()) {
			return Messages.EngineException_noReason;
		}
		String line = ""; //$NON-NLS-1$
		for (String l : text.split("\n")) { //$NON-NLS-1$
			if (!l.isBlank()) {
				line = l.strip();
			}
		}
		if (line.startsWith("ckpt: ")) { //$NON-NLS-1$
			line = line.substring(6);
		}
		return line;
	}
}
