package io.ckpt.ui.internal.preferences;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.jface.preference.BooleanFieldEditor;
import org.eclipse.jface.preference.ComboFieldEditor;
import org.eclipse.jface.preference.IntegerFieldEditor;
import org.eclipse.jface.preference.DirectoryFieldEditor;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.StringFieldEditor;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;
import org.eclipse.ui.preferences.ScopedPreferenceStore;

import io.ckpt.core.Engine;
import io.ckpt.core.internal.CorePreferences;

/**
 * Preferences > ckpt: the engine path override, the snapshot directory, whether snapshots are
 * enabled for all C/C++ launches, automatic snapshots and their retention. The values live in {@code io.ckpt.core}'s instance scope.
 */
public class CkptPreferencePage extends FieldEditorPreferencePage implements IWorkbenchPreferencePage {

	/** The modes of automatic snapshots: label, value. */
	public static final String[][] AUTO_CHOICES = { { "Off", CorePreferences.AUTO_OFF }, //$NON-NLS-1$
			{ "At breakpoint hits", CorePreferences.AUTO_AT_BREAKPOINTS }, //$NON-NLS-1$
			{ "At every suspend", CorePreferences.AUTO_AT_SUSPENDS } }; //$NON-NLS-1$

	private Label engineInUse;

	public CkptPreferencePage() {
		super(GRID);
		ScopedPreferenceStore store = new ScopedPreferenceStore(InstanceScope.INSTANCE, Engine.PLUGIN_ID);
		store.setDefault(CorePreferences.AUTO_SNAPSHOTS, CorePreferences.AUTO_OFF);
		store.setDefault(CorePreferences.KEEP_SNAPSHOTS, CorePreferences.DEFAULT_KEEP_SNAPSHOTS);
		store.setDefault(CorePreferences.KEEP_MIB, CorePreferences.DEFAULT_KEEP_MIB);
		setPreferenceStore(store);
		setDescription("ckpt saves a C/C++ program stopped in the debugger into a statefile and restarts it later " //$NON-NLS-1$
				+ "with the debugger attached at the same place."); //$NON-NLS-1$
	}

	@Override
	public void init(IWorkbench workbench) {
		// nothing to do
	}

	@Override
	protected void createFieldEditors() {
		Composite parent = getFieldEditorParent();
		addField(new DirectoryFieldEditor(CorePreferences.ENGINE_HOME, "&Engine directory:", parent)); //$NON-NLS-1$
		note(parent, "Empty: the engine installed with ckpt. Otherwise a directory holding bin/ckpt, " //$NON-NLS-1$
				+ "lib/libckpt.so and share/ckpt/ckpt-gdb.py (such as native/build of a ckpt checkout)."); //$NON-NLS-1$
		engineInUse = note(parent, "Engine in use: ..."); //$NON-NLS-1$

		addField(new StringFieldEditor(CorePreferences.SNAPSHOT_DIRECTORY, "&Snapshot directory:", parent)); //$NON-NLS-1$
		note(parent, "Where Save Snapshot writes statefiles. Empty: .snapshots in the launch's project. " //$NON-NLS-1$
				+ "A relative path is taken inside the project, an absolute one as it is."); //$NON-NLS-1$

		addField(new BooleanFieldEditor(CorePreferences.ENABLE_FOR_ALL_LAUNCHES,
				"Enable snapshots for &all C/C++ launches", parent)); //$NON-NLS-1$
		note(parent, "Loads ckpt's gdb extension into the gdb of every C/C++ Application, Attach and Remote launch " //$NON-NLS-1$
				+ "that does not choose otherwise on its Snapshots tab (through the launch's gdb init file, " //$NON-NLS-1$
				+ "which ckpt's init file sources in turn)."); //$NON-NLS-1$

		addField(new ComboFieldEditor(CorePreferences.AUTO_SNAPSHOTS, "A&utomatic snapshots:", AUTO_CHOICES, parent)); //$NON-NLS-1$
		note(parent, "At every suspend: breakpoints, steps and signals. gdb saves the program on its own, in the " //$NON-NLS-1$
				+ "background: the debugger is back after the freeze " //$NON-NLS-1$
				+ "and each save writes only what changed since the last one. A launch can choose otherwise " //$NON-NLS-1$
				+ "on its Snapshots tab."); //$NON-NLS-1$
		IntegerFieldEditor keep = new IntegerFieldEditor(CorePreferences.KEEP_SNAPSHOTS, "&Keep per session:", parent); //$NON-NLS-1$
		keep.setValidRange(2, 100_000);
		addField(keep);
		IntegerFieldEditor mib = new IntegerFieldEditor(CorePreferences.KEEP_MIB, "...and at most &MiB:", parent); //$NON-NLS-1$
		mib.setValidRange(1, 10_000_000);
		addField(mib);
		note(parent, "At most this many automatic snapshots per debug session, taking at most this much disk. " //$NON-NLS-1$
				+ "Beyond these, the oldest automatic snapshots of the session are deleted. Pinned snapshots, " //$NON-NLS-1$
				+ "saves you asked for and snapshot points are kept."); //$NON-NLS-1$
		showEngine();
	}

	private static Label note(Composite parent, String text) {
		Label label = new Label(parent, SWT.WRAP);
		label.setText(text);
		GridData data = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
		data.widthHint = 480;
		data.horizontalIndent = 4;
		label.setLayoutData(data);
		return label;
	}

	private void showEngine() {
		Job job = new Job("Locating the ckpt engine") { //$NON-NLS-1$
			@Override
			protected IStatus run(IProgressMonitor monitor) {
				String text;
				try {
					boolean bundled = io.ckpt.core.internal.NativeEngine.get().location()
							.source() == io.ckpt.core.internal.EngineLocation.Source.FRAGMENT;
					text = "Engine in use: ckpt " + Engine.version() //$NON-NLS-1$
							+ (bundled ? ", installed with ckpt" : " from " + Engine.home()); //$NON-NLS-1$ //$NON-NLS-2$
				} catch (RuntimeException e) {
					text = "Engine in use: none. " + e.getMessage(); //$NON-NLS-1$
				}
				String shown = text;
				if (engineInUse != null && !engineInUse.isDisposed()) {
					engineInUse.getDisplay().asyncExec(() -> {
						if (!engineInUse.isDisposed()) {
							engineInUse.setText(shown);
							engineInUse.getParent().layout(true);
						}
					});
				}
				return Status.OK_STATUS;
			}
		};
		job.setSystem(true);
		job.schedule();
	}

	@Override
	public boolean performOk() {
		boolean ok = super.performOk();
		showEngine();
		return ok;
	}
}
