package io.ckpt.ui.internal;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.PlatformUI;

import io.ckpt.core.Engine;
import io.ckpt.core.PackResult;
import io.ckpt.core.SnapshotStore;

/**
 * Export Snapshot for Sharing, from its command and from File > Export: where the packed
 * statefile goes (by default {@code NAME-packed.ckpt} beside it), a confirmation that says it
 * will hold the program's memory, environment and files, which may hold secrets, then a job that
 * packs it through the engine ({@link Engine#pack}) and says how big it came out and how many
 * files it carries.
 */
public final class SnapshotExport {

	/** Picks where the packed statefile goes. */
	@FunctionalInterface
	public interface DestinationChooser {
		/** The file to write; {@code null} when the user cancelled. */
		Path choose(Shell shell, Path statefile, Path suggested);
	}

	/**
	 * How the destination is picked: the platform's save dialog. Tests replace it, because a
	 * native file dialog cannot be driven from inside the workbench.
	 */
	public static volatile DestinationChooser chooser = SnapshotExport::askForDestination;

	private static final String PACKED_SUFFIX = "-packed"; //$NON-NLS-1$

	private SnapshotExport() {
	}

	/** {@code NAME-packed.ckpt} beside {@code NAME.ckpt}. */
	public static Path defaultDestination(Path statefile) {
		String name = statefile.getFileName().toString();
		String base = name.endsWith(SnapshotStore.EXTENSION) ? name.substring(0, name.length() - SnapshotStore.EXTENSION.length()) : name;
		return statefile.resolveSibling(base + PACKED_SUFFIX + SnapshotStore.EXTENSION);
	}

	/** The command's whole flow: where to, the confirmation, the job. Nothing is written when the user declines. */
	public static void export(Shell shell, Path statefile) {
		Path destination = chooser.choose(shell, statefile, defaultDestination(statefile));
		if (destination != null && confirm(shell, statefile, destination)) {
			schedule(statefile, destination);
		}
	}

	/**
	 * Says what the packed file will hold and asks whether to go on.
	 *
	 * @return whether the user accepted
	 */
	public static boolean confirm(Shell shell, Path statefile, Path destination) {
		if (destination.toAbsolutePath().normalize().equals(statefile.toAbsolutePath().normalize())) {
			MessageDialog.openError(shell, Messages.SnapshotExport_title, NLS.bind(Messages.SnapshotExport_sameFile, statefile));
			return false;
		}
		MessageDialog dialog = new MessageDialog(shell, Messages.SnapshotExport_title, null,
				NLS.bind(Messages.SnapshotExport_secrets, destination.getFileName(), statefile.getFileName()), MessageDialog.WARNING, 1,
				Messages.SnapshotExport_export, IDialogConstants.CANCEL_LABEL);
		return dialog.open() == 0;
	}

	/** Packs in a user job (cancellable, with progress) and shows the result. */
	public static Job schedule(Path statefile, Path destination) {
		String name = statefile.getFileName().toString();
		return UiJobs.schedule(NLS.bind(Messages.SnapshotExport_job, name), NLS.bind(Messages.SnapshotExport_failed, name), monitor -> {
			PackResult packed = Engine.pack(statefile, destination, false, monitor);
			Display display = PlatformUI.getWorkbench().getDisplay();
			display.asyncExec(() -> showResult(display.getActiveShell(), packed));
		});
	}

	/** The size of the packed file and what it carries, in a dialog that does not block. */
	public static MessageDialog showResult(Shell shell, PackResult packed) {
		MessageDialog dialog = new MessageDialog(shell, Messages.SnapshotExport_doneTitle, null, describe(packed),
				MessageDialog.INFORMATION, 0, IDialogConstants.OK_LABEL);
		dialog.setBlockOnOpen(false);
		dialog.open();
		return dialog;
	}

	/** What {@link #showResult} says. */
	public static String describe(PackResult packed) {
		String files = packed.files() == 1 ? Messages.SnapshotExport_oneFile
				: NLS.bind(Messages.SnapshotExport_files, Integer.toString(packed.files()));
		return NLS.bind(Messages.SnapshotExport_done, new Object[] { packed.packed(), mib(packed.fileBytes()), files,
				Integer.toString(packed.debugFiles()), mib(packed.embeddedBytes()), mib(packed.statefileBytes()) });
	}

	private static String mib(long bytes) {
		return String.format("%.1f MiB", bytes / 1048576.0); //$NON-NLS-1$
	}

	private static Path askForDestination(Shell shell, Path statefile, Path suggested) {
		FileDialog dialog = new FileDialog(shell, SWT.SAVE | SWT.SHEET);
		dialog.setText(Messages.SnapshotExport_chooseTitle);
		dialog.setFilterExtensions(new String[] { "*" + SnapshotStore.EXTENSION, "*" }); //$NON-NLS-1$ //$NON-NLS-2$
		dialog.setFilterNames(new String[] { Messages.ImportSnapshotHandler_statefiles, Messages.ImportSnapshotHandler_allFiles });
		dialog.setFilterPath(suggested.getParent().toString());
		dialog.setFileName(suggested.getFileName().toString());
		dialog.setOverwrite(true);
		String chosen = dialog.open();
		return chosen == null ? null : Path.of(chosen);
	}

	/** Whether a path names a directory that exists, where a packed statefile can be written. */
	public static boolean canWriteInto(Path destination) {
		Path dir = destination.toAbsolutePath().getParent();
		return dir != null && Files.isDirectory(dir) && !Files.isDirectory(destination);
	}
}
