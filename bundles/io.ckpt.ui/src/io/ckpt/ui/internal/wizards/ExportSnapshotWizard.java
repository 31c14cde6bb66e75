package io.ckpt.ui.internal.wizards;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.wizard.Wizard;
import org.eclipse.ui.IExportWizard;
import org.eclipse.ui.IWorkbench;

import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.SnapshotExport;

/**
 * File > Export... > ckpt > Snapshot for Sharing: the statefile (the selected one to begin with)
 * and where its packed copy goes, on one page; Finish confirms and packs as Export Snapshot for
 * Sharing does ({@link SnapshotExport}).
 */
public class ExportSnapshotWizard extends Wizard implements IExportWizard {

	private ExportSnapshotPage page;
	private Path selected;

	public ExportSnapshotWizard() {
		setWindowTitle(Messages.SnapshotExport_title);
		setNeedsProgressMonitor(false); // packing runs in a job of its own
	}

	@Override
	public void init(IWorkbench workbench, IStructuredSelection selection) {
		List<Picked> picked = Selections.statefiles(selection);
		selected = picked.isEmpty() ? null : picked.get(0).path();
	}

	@Override
	public void addPages() {
		page = new ExportSnapshotPage(selected);
		addPage(page);
	}

	@Override
	public boolean performFinish() {
		if (!SnapshotExport.confirm(getShell(), page.statefile(), page.destination())) {
			return false;
		}
		SnapshotExport.schedule(page.statefile(), page.destination());
		return true;
	}
}
