package io.ckpt.ui;

/**
 * Identifiers of the ckpt user interface contributions.
 */
public final class CkptUI {

	/** Symbolic name of this bundle. */
	public static final String PLUGIN_ID = "io.ckpt.ui"; //$NON-NLS-1$

	/** The "ckpt" category of the Show View dialog. */
	public static final String VIEW_CATEGORY_ID = "io.ckpt.ui.views.category"; //$NON-NLS-1$

	/** The Snapshots view. */
	public static final String SNAPSHOTS_VIEW_ID = "io.ckpt.ui.views.snapshots"; //$NON-NLS-1$

	private CkptUI() {
	}
}
