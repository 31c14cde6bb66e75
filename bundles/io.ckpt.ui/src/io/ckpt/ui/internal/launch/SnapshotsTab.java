package io.ckpt.ui.internal.launch;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.ui.AbstractLaunchConfigurationTab;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.swt.widgets.Group;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import io.ckpt.core.internal.CorePreferences;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.internal.CdtContracts;
import io.ckpt.debug.internal.GdbInit;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.preferences.CkptPreferencePage;

/**
 * The "Snapshots" tab of CDT's Application and Attach launch dialogs: whether this launch loads
 * ckpt's gdb extension (so that Save Snapshot works), where its statefiles go, and when gdb
 * saves on its own (automatic snapshots).
 */
public class SnapshotsTab extends AbstractLaunchConfigurationTab {

	public static final String ID = "io.ckpt.ui.launch.snapshotsTab"; //$NON-NLS-1$

	/** The first choice of automatic snapshots: no choice of the launch's own. */
	static final String AUTO_PREFERENCE = Messages.SnapshotsTab_autoPreference;

	private Button enable;
	private Text directory;
	private Combo auto;
	private Label how;
	private boolean enableTouched;

	@Override
	public String getId() {
		return ID;
	}

	@Override
	public String getName() {
		return Messages.SnapshotsTab_name;
	}

	@Override
	public void createControl(Composite parent) {
		Composite top = new Composite(parent, SWT.NONE);
		top.setLayout(new GridLayout(1, false));
		setControl(top);

		Group group = new Group(top, SWT.NONE);
		group.setText(Messages.SnapshotsTab_group);
		group.setLayout(new GridLayout(3, false));
		group.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));

		enable = new Button(group, SWT.CHECK);
		enable.setText(Messages.SnapshotsTab_enable);
		enable.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 3, 1));
		enable.addListener(SWT.Selection, e -> {
			enableTouched = true;
			updateHow();
			updateLaunchConfigurationDialog();
		});

		Label dirLabel = new Label(group, SWT.NONE);
		dirLabel.setText(Messages.SnapshotsTab_directory);
		directory = new Text(group, SWT.BORDER | SWT.SINGLE);
		directory.setMessage(Messages.SnapshotsTab_directoryDefault);
		directory.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
		directory.addModifyListener(e -> updateLaunchConfigurationDialog());
		Button browse = new Button(group, SWT.PUSH);
		browse.setText(Messages.SnapshotsTab_browse);
		browse.addListener(SWT.Selection, e -> {
			DirectoryDialog dialog = new DirectoryDialog(getShell());
			dialog.setFilterPath(directory.getText());
			String chosen = dialog.open();
			if (chosen != null) {
				directory.setText(chosen);
			}
		});

		Label autoLabel = new Label(group, SWT.NONE);
		autoLabel.setText(Messages.SnapshotsTab_autoSnapshots);
		auto = new Combo(group, SWT.READ_ONLY);
		auto.add(AUTO_PREFERENCE);
		for (String[] choice : CkptPreferencePage.AUTO_CHOICES) {
			auto.add(choice[0]);
		}
		auto.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
		auto.addListener(SWT.Selection, e -> updateLaunchConfigurationDialog());

		how = new Label(group, SWT.WRAP);
		GridData howData = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
		howData.widthHint = 420;
		howData.verticalIndent = 8;
		how.setLayoutData(howData);
	}

	private void updateHow() {
		how.setText(enable.getSelection()
				? NLS.bind(Messages.SnapshotsTab_howEnabled, "${" + CkptDebug.GDBINIT_VARIABLE + ":...}") //$NON-NLS-1$ //$NON-NLS-2$
				: CorePreferences.enableForAllLaunches() ? Messages.SnapshotsTab_howDisabled
						: Messages.SnapshotsTab_howDisabledAllLaunchesOff);
		how.getParent().layout(true);
	}

	@Override
	public void setDefaults(ILaunchConfigurationWorkingCopy configuration) {
		// Nothing: a configuration without ckpt's attributes follows the preference.
	}

	@Override
	public void initializeFrom(ILaunchConfiguration configuration) {
		enable.setSelection(GdbInit.isEnabled(configuration) || GdbInit.wanted(configuration));
		try {
			directory.setText(configuration.getAttribute(CkptDebug.ATTR_SNAPSHOT_DIR, "")); //$NON-NLS-1$
		} catch (CoreException e) {
			directory.setText(""); //$NON-NLS-1$
		}
		String mode;
		try {
			mode = configuration.getAttribute(CkptDebug.ATTR_AUTO_SNAPSHOTS, ""); //$NON-NLS-1$
		} catch (CoreException e) {
			mode = ""; //$NON-NLS-1$
		}
		auto.select(0);
		for (int i = 0; i < CkptPreferencePage.AUTO_CHOICES.length; i++) {
			if (CkptPreferencePage.AUTO_CHOICES[i][1].equals(mode)) {
				auto.select(i + 1);
			}
		}
		enableTouched = false;
		updateHow();
	}

	@Override
	public void performApply(ILaunchConfigurationWorkingCopy configuration) {
		String dir = directory.getText().trim();
		if (dir.isEmpty()) {
			configuration.removeAttribute(CkptDebug.ATTR_SNAPSHOT_DIR);
		} else {
			configuration.setAttribute(CkptDebug.ATTR_SNAPSHOT_DIR, dir);
		}
		int choice = auto.getSelectionIndex();
		if (choice <= 0) {
			configuration.removeAttribute(CkptDebug.ATTR_AUTO_SNAPSHOTS);
		} else {
			configuration.setAttribute(CkptDebug.ATTR_AUTO_SNAPSHOTS, CkptPreferencePage.AUTO_CHOICES[choice - 1][1]);
		}
		try {
			if (enableTouched || configuration.hasAttribute(CkptDebug.ATTR_ENABLED)) {
				if (enable.getSelection()) {
					GdbInit.enable(configuration, true);
				} else {
					GdbInit.disable(configuration, true);
				}
			} else if (enable.getSelection() && !isEnabled(configuration)) {
				GdbInit.enable(configuration, false); // follows the preference
			}
		} catch (CoreException e) {
			setErrorMessage(e.getMessage());
		}
	}

	private static boolean isEnabled(ILaunchConfiguration c) {
		try {
			return GdbInit.isCkpt(c.getAttribute(CdtContracts.ATTR_GDB_INIT, "")); //$NON-NLS-1$
		} catch (CoreException e) {
			return false;
		}
	}
}
