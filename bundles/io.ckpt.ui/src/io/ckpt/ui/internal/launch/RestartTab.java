package io.ckpt.ui.internal.launch;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
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
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import io.ckpt.debug.CkptDebug;
import io.ckpt.ui.internal.Messages;

/** The main tab of "Restart from Snapshot": the statefile and the project. */
public class RestartTab extends AbstractLaunchConfigurationTab {

	private Text statefile;
	private Combo project;

	@Override
	public String getName() {
		return Messages.RestartTab_name;
	}

	@Override
	public void createControl(Composite parent) {
		Composite top = new Composite(parent, SWT.NONE);
		top.setLayout(new GridLayout(3, false));
		setControl(top);

		new Label(top, SWT.NONE).setText(Messages.RestartTab_statefile);
		statefile = new Text(top, SWT.BORDER | SWT.SINGLE);
		statefile.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
		statefile.addModifyListener(e -> updateLaunchConfigurationDialog());
		Button browse = new Button(top, SWT.PUSH);
		browse.setText(Messages.RestartTab_browse);
		browse.addListener(SWT.Selection, e -> {
			FileDialog dialog = new FileDialog(getShell(), SWT.OPEN);
			dialog.setFilterExtensions(new String[] { "*.ckpt", "*" }); //$NON-NLS-1$ //$NON-NLS-2$
			String chosen = dialog.open();
			if (chosen != null) {
				statefile.setText(chosen);
			}
		});

		new Label(top, SWT.NONE).setText(Messages.RestartTab_project);
		project = new Combo(top, SWT.DROP_DOWN);
		project.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
		for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
			project.add(p.getName());
		}
		project.addModifyListener(e -> updateLaunchConfigurationDialog());

		Label note = new Label(top, SWT.WRAP);
		note.setText(Messages.RestartTab_note);
		GridData data = new GridData(SWT.FILL, SWT.TOP, true, false, 3, 1);
		data.widthHint = 400;
		data.verticalIndent = 8;
		note.setLayoutData(data);
	}

	@Override
	public void setDefaults(ILaunchConfigurationWorkingCopy configuration) {
		configuration.setAttribute(CkptDebug.ATTR_STATEFILE, ""); //$NON-NLS-1$
		configuration.setAttribute(CkptDebug.ATTR_PROJECT, ""); //$NON-NLS-1$
	}

	@Override
	public void initializeFrom(ILaunchConfiguration configuration) {
		try {
			statefile.setText(configuration.getAttribute(CkptDebug.ATTR_STATEFILE, "")); //$NON-NLS-1$
			project.setText(configuration.getAttribute(CkptDebug.ATTR_PROJECT, "")); //$NON-NLS-1$
		} catch (CoreException e) {
			setErrorMessage(e.getMessage());
		}
	}

	@Override
	public void performApply(ILaunchConfigurationWorkingCopy configuration) {
		configuration.setAttribute(CkptDebug.ATTR_STATEFILE, statefile.getText().trim());
		configuration.setAttribute(CkptDebug.ATTR_PROJECT, project.getText().trim());
	}

	@Override
	public boolean isValid(ILaunchConfiguration launchConfig) {
		setErrorMessage(null);
		String s = statefile.getText().trim();
		if (s.isEmpty()) {
			setErrorMessage(Messages.RestartTab_noStatefile);
			return false;
		}
		if (!Files.isRegularFile(Path.of(s))) {
			setErrorMessage(NLS.bind(Messages.RestartTab_missing, s));
			return false;
		}
		return true;
	}
}
