package io.ckpt.ui.internal.preferences;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.core.runtime.preferences.InstanceScope;
import org.eclipse.jface.preference.BooleanFieldEditor;
import org.eclipse.jface.preference.ComboFieldEditor;
import org.eclipse.jface.preference.DirectoryFieldEditor;
import org.eclipse.jface.preference.FieldEditorPreferencePage;
import org.eclipse.jface.preference.IntegerFieldEditor;
import org.eclipse.jface.preference.StringFieldEditor;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPreferencePage;
import org.eclipse.ui.preferences.ScopedPreferenceStore;

import io.ckpt.core.Engine;
import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.internal.LaunchEnabler;
import io.ckpt.ui.internal.Messages;

/**
 * Preferences > ckpt: the engine path override, the snapshot directory, whether snapshots are
 * enabled for all C/C++ launches, automatic snapshots and their retention. The values live in
 * {@code io.ckpt.core}'s instance scope.
 */
public class CkptPreferencePage extends FieldEditorPreferencePage implements IWorkbenchPreferencePage {

	/** The modes of automatic snapshots: label, value. */
	public static final String[][] AUTO_CHOICES = { { Messages.CkptPreferencePage_autoOff, CorePreferences.AUTO_OFF },
			{ Messages.CkptPreferencePage_autoAtBreakpoints, CorePreferences.AUTO_AT_BREAKPOINTS },
			{ Messages.CkptPreferencePage_autoAtSuspends, CorePreferences.AUTO_AT_SUSPENDS } };

	private Label engineInUse;

	public CkptPreferencePage() {
		super(GRID);
		ScopedPreferenceStore store = new ScopedPreferenceStore(InstanceScope.INSTANCE, Engine.PLUGIN_ID);
		store.setDefault(CorePreferences.AUTO_SNAPSHOTS, CorePreferences.AUTO_OFF);
		store.setDefault(CorePreferences.KEEP_SNAPSHOTS, CorePreferences.DEFAULT_KEEP_SNAPSHOTS);
		store.setDefault(CorePreferences.KEEP_MIB, CorePreferences.DEFAULT_KEEP_MIB);
		setPreferenceStore(store);
		setDescription(Messages.CkptPreferencePage_description);
	}

	@Override
	public void init(IWorkbench workbench) {
		// Turning "all C/C++ launches" on or off here must reach the launch configurations.
		LaunchEnabler.start();
	}

	@Override
	protected void createFieldEditors() {
		Composite parent = getFieldEditorParent();
		addField(new DirectoryFieldEditor(CorePreferences.ENGINE_HOME, Messages.CkptPreferencePage_engineDirectory, parent));
		note(parent, Messages.CkptPreferencePage_engineDirectoryNote);
		engineInUse = note(parent, Messages.CkptPreferencePage_engineLocating);

		addField(new StringFieldEditor(CorePreferences.SNAPSHOT_DIRECTORY, Messages.CkptPreferencePage_snapshotDirectory,
				parent));
		note(parent, Messages.CkptPreferencePage_snapshotDirectoryNote);

		addField(new BooleanFieldEditor(CorePreferences.ENABLE_FOR_ALL_LAUNCHES, Messages.CkptPreferencePage_allLaunches,
				parent));
		note(parent, Messages.CkptPreferencePage_allLaunchesNote);

		addField(new ComboFieldEditor(CorePreferences.AUTO_SNAPSHOTS, Messages.CkptPreferencePage_autoSnapshots,
				AUTO_CHOICES, parent));
		note(parent, Messages.CkptPreferencePage_autoSnapshotsNote);
		IntegerFieldEditor keep = new IntegerFieldEditor(CorePreferences.KEEP_SNAPSHOTS, Messages.CkptPreferencePage_keep,
				parent);
		keep.setValidRange(2, 100_000);
		addField(keep);
		IntegerFieldEditor mib = new IntegerFieldEditor(CorePreferences.KEEP_MIB, Messages.CkptPreferencePage_keepMib, parent);
		mib.setValidRange(1, 10_000_000);
		addField(mib);
		note(parent, Messages.CkptPreferencePage_keepNote);
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
		Job job = new Job(Messages.CkptPreferencePage_locatingJob) {
			@Override
			protected IStatus run(IProgressMonitor monitor) {
				String text;
				try {
					boolean bundled = io.ckpt.core.internal.NativeEngine.get().location()
							.source() == io.ckpt.core.internal.EngineLocation.Source.FRAGMENT;
					text = bundled ? NLS.bind(Messages.CkptPreferencePage_engineBundled, Engine.version())
							: NLS.bind(Messages.CkptPreferencePage_engineFrom, Engine.version(), Engine.home());
				} catch (RuntimeException e) {
					text = NLS.bind(Messages.CkptPreferencePage_engineNone, e.getMessage());
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
