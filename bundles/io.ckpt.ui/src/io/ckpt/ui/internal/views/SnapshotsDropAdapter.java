package io.ckpt.ui.internal.views;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerDropAdapter;
import org.eclipse.swt.dnd.DND;
import org.eclipse.swt.dnd.DropTargetEvent;
import org.eclipse.swt.dnd.FileTransfer;
import org.eclipse.swt.dnd.TransferData;
import org.eclipse.swt.widgets.Shell;

import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.SnapshotImport;
import io.ckpt.ui.internal.SnapshotImport.Target;

/**
 * Files dropped onto the Snapshots view (from the desktop's file manager) are imported as Import
 * Snapshot imports them: copied, never moved, into the snapshot directory of the project of the
 * row they are dropped on, else of the only open project, else of the one the user picks.
 */
final class SnapshotsDropAdapter extends ViewerDropAdapter {

	SnapshotsDropAdapter(Viewer viewer) {
		super(viewer);
		setFeedbackEnabled(false); // the rows are no places to put a file between
	}

	@Override
	public void dragEnter(DropTargetEvent event) {
		copyInstead(event);
		super.dragEnter(event);
	}

	@Override
	public void dragOperationChanged(DropTargetEvent event) {
		copyInstead(event);
		super.dragOperationChanged(event);
	}

	/** A drop imports a copy: the file the user dragged stays where it is. */
	private static void copyInstead(DropTargetEvent event) {
		if ((event.operations & DND.DROP_COPY) != 0) {
			event.detail = DND.DROP_COPY;
		} else {
			event.detail = DND.DROP_NONE;
		}
	}

	@Override
	public boolean validateDrop(Object target, int operation, TransferData transferType) {
		return operation == DND.DROP_COPY && FileTransfer.getInstance().isSupportedType(transferType);
	}

	@Override
	public boolean performDrop(Object data) {
		List<Path> files = SnapshotImport.regularFiles(data instanceof String[] paths ? paths : null);
		if (files.isEmpty()) {
			return false;
		}
		String project = Selections.projectOf(getCurrentTarget());
		Shell shell = getViewer().getControl().getShell();
		// Asked once the drop is over: no dialog inside the platform's drag and drop.
		shell.getDisplay().asyncExec(() -> {
			Target target = SnapshotImport.chooseTarget(shell, project);
			if (target != null) {
				SnapshotImport.schedule(files, target);
			}
		});
		return true;
	}
}
