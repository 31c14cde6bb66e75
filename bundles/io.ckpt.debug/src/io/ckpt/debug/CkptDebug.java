package io.ckpt.debug;

/**
 * Constants of the ckpt debug integration. This bundle will hold the "Restart from statefile"
 * launch type, the hand-off to CDT and the client of the gdb extension's control socket.
 */
public final class CkptDebug {

	/** Symbolic name of this bundle. */
	public static final String PLUGIN_ID = "io.ckpt.debug"; //$NON-NLS-1$

	private CkptDebug() {
	}
}
