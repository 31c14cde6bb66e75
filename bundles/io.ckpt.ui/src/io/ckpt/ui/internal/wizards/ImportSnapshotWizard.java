package io.ckpt.ui.internal.wizards;

import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.wizard.Wizard;
import org.eclipse.ui.IImportWizard;
import org.eclipse.ui.IWorkbench;

import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.SnapshotImport;

/**
 * File > Import... > ckpt > Snapshot: the statefiles to import and the project whose snapshot
 * directory gets them, on one page; Finish imports them as Import Snapshot does ({@link SnapshotImport}).
 */
public class ImportSnapshotWizard extends Wizard implements IImportWizard {

	private ImportSnapshotPage page;
	private String preferredProject;

	public ImportSnapshotWizard() {
		setWindowTitle(Messages.ImportSnapshotWizard_title);
		setNeedsProgressMonitor(false); // the import runs in a job of its own
	}

	@Override
	public void init(IWorkbench workbench, IStructuredSelection selection) {
		preferredProject = Selections.project(selection);
	}

	@Override
	public void addPages() {
		page = new ImportSnapshotPage(preferredProject);
		addPage(page);
	}

	@Override
	public boolean performFinish() {
		SnapshotImport.schedule(page.files(), new SnapshotImport.Target(page.project()));
		return true;
	}
}
