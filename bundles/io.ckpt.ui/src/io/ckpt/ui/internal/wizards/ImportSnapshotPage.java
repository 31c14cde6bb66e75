package io.ckpt.ui.internal.wizards;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;

import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.handlers.ImportSnapshotHandler;

/** The page of {@link ImportSnapshotWizard}: a list of statefiles, and the project they go to. */
final class ImportSnapshotPage extends WizardPage {

	private final String preferredProject;
	private final List<Path> files = new ArrayList<>();
	private final List<String> projects = new ArrayList<>();
	private org.eclipse.swt.widgets.List list;
	private Combo project;
	private Label directory;

	ImportSnapshotPage(String preferredProject) {
		super("statefiles"); //$NON-NLS-1$
		this.preferredProject = preferredProject;
		setTitle(Messages.ImportSnapshotWizard_pageTitle);
		setDescription(Messages.ImportSnapshotWizard_pageDescription);
	}

	@Override
	public void createControl(Composite parent) {
		Composite c = new Composite(parent, SWT.NONE);
		c.setLayout(new GridLayout(2, false));

		Label filesLabel = new Label(c, SWT.NONE);
		filesLabel.setText(Messages.ImportSnapshotWizard_statefiles);
		GridDataFactory.swtDefaults().span(2, 1).applyTo(filesLabel);
		list = new org.eclipse.swt.widgets.List(c, SWT.MULTI | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL);
		GridDataFactory.fillDefaults().grab(true, true).hint(460, 140).applyTo(list);
		Composite buttons = new Composite(c, SWT.NONE);
		GridLayout buttonsLayout = new GridLayout(1, true);
		buttonsLayout.marginWidth = 0;
		buttonsLayout.marginHeight = 0;
		buttons.setLayout(buttonsLayout);
		GridDataFactory.fillDefaults().align(SWT.FILL, SWT.TOP).applyTo(buttons);
		Button add = new Button(buttons, SWT.PUSH);
		add.setText(Messages.ImportSnapshotWizard_add);
		GridDataFactory.fillDefaults().applyTo(add);
		add.addListener(SWT.Selection, e -> {
			for (Path p : ImportSnapshotHandler.chooser.choose(getShell())) {
				if (!files.contains(p)) {
					files.add(p);
					list.add(p.toString());
				}
			}
			update();
		});
		Button remove = new Button(buttons, SWT.PUSH);
		remove.setText(Messages.ImportSnapshotWizard_remove);
		GridDataFactory.fillDefaults().applyTo(remove);
		remove.addListener(SWT.Selection, e -> {
			int[] selected = list.getSelectionIndices();
			for (int i = selected.length - 1; i >= 0; i--) {
				files.remove(selected[i]);
				list.remove(selected[i]);
			}
			update();
		});

		Label projectLabel = new Label(c, SWT.NONE);
		projectLabel.setText(Messages.ImportSnapshotWizard_project);
		GridDataFactory.swtDefaults().span(2, 1).indent(0, 8).applyTo(projectLabel);
		project = new Combo(c, SWT.READ_ONLY | SWT.DROP_DOWN);
		GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(project);
		for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
			if (p.isOpen() && p.getLocation() != null) {
				projects.add(p.getName());
				project.add(p.getName());
			}
		}
		if (projects.isEmpty()) {
			project.add(Messages.ImportSnapshotWizard_noProject);
			project.select(0);
			project.setEnabled(false);
		} else {
			project.select(Math.max(0, projects.indexOf(preferredProject)));
		}
		project.addListener(SWT.Selection, e -> update());
		directory = new Label(c, SWT.WRAP);
		GridDataFactory.fillDefaults().grab(true, false).span(2, 1).applyTo(directory);

		setControl(c);
		update();
	}

	private void update() {
		directory.setText(NLS.bind(Messages.ImportSnapshotWizard_directory, SnapshotStore.directoryFor(project())));
		directory.getParent().layout(true);
		setPageComplete(!files.isEmpty());
		setErrorMessage(null);
		setMessage(files.isEmpty() ? Messages.ImportSnapshotWizard_addSome : null);
	}

	/** The statefiles to import. */
	List<Path> files() {
		return List.copyOf(files);
	}

	/** The project they go to; {@code null} for the workspace's snapshot directory. */
	String project() {
		return projects.isEmpty() ? null : projects.get(Math.max(0, project.getSelectionIndex()));
	}
}
