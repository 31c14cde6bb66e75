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

	/** The read-only statefile viewer (shows {@code ckpt info}). */
	public static final String STATEFILE_EDITOR_ID = "io.ckpt.ui.editors.statefile"; //$NON-NLS-1$

	/** File > Import... > ckpt > Snapshot. */
	public static final String IMPORT_WIZARD_ID = "io.ckpt.ui.wizards.importSnapshot"; //$NON-NLS-1$

	/** File > Export... > ckpt > Snapshot for Sharing. */
	public static final String EXPORT_WIZARD_ID = "io.ckpt.ui.wizards.exportSnapshot"; //$NON-NLS-1$

	/** The ckpt preference page. */
	public static final String PREFERENCE_PAGE_ID = "io.ckpt.ui.preferences"; //$NON-NLS-1$

	/** The key binding context active in the Snapshots view. */
	public static final String SNAPSHOTS_CONTEXT_ID = "io.ckpt.ui.contexts.snapshots"; //$NON-NLS-1$

	/** Commands. */
	public static final String SAVE_SNAPSHOT_COMMAND = "io.ckpt.ui.commands.saveSnapshot"; //$NON-NLS-1$
	public static final String RESTART_COMMAND = "io.ckpt.ui.commands.restartFromSnapshot"; //$NON-NLS-1$
	public static final String OPEN_AS_CORE_COMMAND = "io.ckpt.ui.commands.openAsCore"; //$NON-NLS-1$
	public static final String DELETE_COMMAND = "io.ckpt.ui.commands.deleteSnapshot"; //$NON-NLS-1$
	public static final String SHOW_IN_SNAPSHOTS_COMMAND = "io.ckpt.ui.commands.showInSnapshots"; //$NON-NLS-1$
	public static final String SHOW_INFO_COMMAND = "io.ckpt.ui.commands.showStatefileInfo"; //$NON-NLS-1$
	public static final String IMPORT_COMMAND = "io.ckpt.ui.commands.importSnapshot"; //$NON-NLS-1$
	public static final String CHECK_PORTABILITY_COMMAND = "io.ckpt.ui.commands.checkPortability"; //$NON-NLS-1$
	public static final String EXPORT_COMMAND = "io.ckpt.ui.commands.exportSnapshot"; //$NON-NLS-1$

	/** Family of every job ckpt's user interface schedules (to wait for them, or cancel them). */
	public static final String GO_BACK_COMMAND = "io.ckpt.ui.commands.goBack"; //$NON-NLS-1$
	public static final String PREVIOUS_SNAPSHOT_COMMAND = "io.ckpt.ui.commands.previousSnapshot"; //$NON-NLS-1$
	public static final String NEXT_SNAPSHOT_COMMAND = "io.ckpt.ui.commands.nextSnapshot"; //$NON-NLS-1$
	public static final String PIN_COMMAND = "io.ckpt.ui.commands.pinSnapshot"; //$NON-NLS-1$
	public static final String COMPARE_COMMAND = "io.ckpt.ui.commands.compareSnapshots"; //$NON-NLS-1$
	public static final String COMPARE_VIEW_ID = "io.ckpt.ui.views.compare"; //$NON-NLS-1$
	public static final String TOGGLE_SNAPPOINT_COMMAND = "io.ckpt.ui.commands.toggleSnapPoint"; //$NON-NLS-1$
	public static final String LABEL_COMMAND = "io.ckpt.ui.commands.labelSnapshot"; //$NON-NLS-1$
	public static final Object JOB_FAMILY = new Object();

	private CkptUI() {
	}
}
