package io.ckpt.ui.internal.handlers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.SnapshotImport;
import io.ckpt.ui.internal.SnapshotImport.Target;

/**
 * Import Snapshot...: picks statefiles (a teammate's, say) with the file dialog, then the project
 * (the selected one, else the only open one, else the user's pick), and imports them: copied into
 * that project's snapshot directory, checked for whether they can restart here, shown in the
 * Snapshots view with their portability report ({@link SnapshotImport}).
 */
public class ImportSnapshotHandler extends AbstractHandler {

	/** Picks the files to import. */
	@FunctionalInterface
	public interface FileChooser {
		/** The files picked; empty when the user cancelled. */
		List<Path> choose(Shell shell);
	}

	/**
	 * How the files are picked: the platform's file dialog. Tests replace it, because a native
	 * file dialog cannot be driven from inside the workbench.
	 */
	public static volatile FileChooser chooser = ImportSnapshotHandler::askForFiles;

	private static String lastFolder;

	@Override
	public Object execute(ExecutionEvent event) {
		Shell shell = HandlerUtil.getActiveShell(event);
		List<Path> files = chooser.choose(shell);
		if (files.isEmpty()) {
			return null;
		}
		Target target = SnapshotImport.chooseTarget(shell, Selections.project(event));
		if (target != null) {
			SnapshotImport.schedule(files, target);
		}
		return null;
	}

	private static List<Path> askForFiles(Shell shell) {
		FileDialog dialog = new FileDialog(shell, SWT.OPEN | SWT.MULTI | SWT.SHEET);
		dialog.setText(Messages.ImportSnapshotHandler_title);
		dialog.setFilterExtensions(new String[] { "*" + SnapshotStore.EXTENSION, "*" }); //$NON-NLS-1$ //$NON-NLS-2$
		dialog.setFilterNames(new String[] { Messages.ImportSnapshotHandler_statefiles, Messages.ImportSnapshotHandler_allFiles });
		if (lastFolder != null) {
			dialog.setFilterPath(lastFolder);
		}
		List<Path> files = new ArrayList<>();
		if (dialog.open() == null) {
			return files;
		}
		lastFolder = dialog.getFilterPath();
		for (String name : dialog.getFileNames()) {
			files.add(Path.of(dialog.getFilterPath(), name));
		}
		return files;
	}
}
