package io.ckpt.core;

import org.eclipse.osgi.util.NLS;

import io.ckpt.core.internal.Messages;

/**
 * Where a file the program had open, or a working directory, that is missing here is to be found
 * instead ({@code ckpt restart --map-path OLD=NEW}): paths under {@code from} (whole components)
 * are opened under {@code to}; the longest {@code from} wins.
 *
 * @param from an absolute path of the saving machine
 * @param to   the absolute path here that stands for it
 */
public record PathMapping(String from, String to) {

	public PathMapping {
		if (from == null || to == null || !from.startsWith("/") || !to.startsWith("/")) { //$NON-NLS-1$ //$NON-NLS-2$
			throw new IllegalArgumentException(NLS.bind(Messages.PathMapping_notAbsolute, from + "=" + to)); //$NON-NLS-1$
		}
	}

	/**
	 * Reads {@code OLD=NEW}, as {@code --map-path} takes it.
	 *
	 * @throws IllegalArgumentException with a one-line reason when it is not two absolute paths
	 */
	public static PathMapping parse(String text) {
		int eq = text == null ? -1 : text.indexOf('=');
		if (eq < 0) {
			throw new IllegalArgumentException(NLS.bind(Messages.PathMapping_notAbsolute, text));
		}
		return new PathMapping(text.substring(0, eq).strip(), text.substring(eq + 1).strip());
	}

	/** {@code OLD=NEW}, as {@code --map-path} takes it. */
	@Override
	public String toString() {
		return from + "=" + to; //$NON-NLS-1$
	}
}
