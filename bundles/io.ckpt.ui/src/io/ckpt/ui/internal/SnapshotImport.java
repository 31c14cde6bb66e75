package io.ckpt.ui.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.MultiStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.jface.window.Window;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.dialogs.ElementListSelectionDialog;
import org.eclipse.ui.model.WorkbenchLabelProvider;

import io.ckpt.core.Engine;
import io.ckpt.core.PortabilityReport;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.dialogs.PortabilityDialog;
import io.ckpt.ui.internal.dialogs.PortabilityDialog.Entry;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * Importing statefiles, for Import Snapshot, File > Import and a drop onto the Snapshots view: the
 * project they go to, then a job that copies each into that project's snapshot directory
 * ({@link SnapshotStore#importStatefile}), checks whether it can restart here, shows it in the
 * Snapshots view and opens the portability report.
 */
public final class SnapshotImport {

	/** The project the statefiles go to; {@code null} for the workspace's own snapshot directory. */
	public record Target(String project) {
	}

	private SnapshotImport() {
	}

	/**
	 * The project to import into: {@code preferred} when it is an open project, else the only open
	 * project, else the one the user picks. With no open project at all: the workspace's snapshot
	 * directory.
	 *
	 * @return {@code null} when the user cancelled
	 */
	public static Target chooseTarget(Shell shell, String preferred) {
		List<IProject> open = new ArrayList<>();
		for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
			if (p.isOpen() && p.getLocation() != null) {
				open.add(p);
			}
		}
		if (preferred != null && open.stream().anyMatch(p -> p.getName().equals(preferred))) {
			return new Target(preferred);
		}
		if (open.isEmpty()) {
			return new Target(null);
		}
		if (open.size() == 1) {
			return new Target(open.get(0).getName());
		}
		ElementListSelectionDialog dialog = new ElementListSelectionDialog(shell, new WorkbenchLabelProvider());
		dialog.setTitle(Messages.SnapshotImport_chooseProjectTitle);
		dialog.setMessage(Messages.SnapshotImport_chooseProject);
		dialog.setElements(open.toArray());
		dialog.setMultipleSelection(false);
		if (dialog.open() != Window.OK || !(dialog.getFirstResult() instanceof IProject p)) {
			return null;
		}
		return new Target(p.getName());
	}

	/**
	 * Imports statefiles into a project's snapshot directory in a job (with progress, cancellable),
	 * then selects them in the Snapshots view and shows their portability reports. A file that is
	 * no statefile is reported with the engine's reason, and the others are imported all the same.
	 */
	public static void schedule(List<Path> files, Target target) {
		String what = files.size() == 1 ? files.get(0).getFileName().toString()
				: NLS.bind(Messages.PortabilityDialog_statefiles, Integer.toString(files.size()));
		Path directory = SnapshotStore.directoryFor(target.project());
		UiJobs.schedule(NLS.bind(Messages.SnapshotImport_job, what), NLS.bind(Messages.SnapshotImport_failed, what), monitor -> {
			SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.SnapshotImport_job, what), 10 * files.size());
			List<Entry> imported = new ArrayList<>();
			MultiStatus failures = new MultiStatus(CkptUI.PLUGIN_ID, 0, NLS.bind(Messages.SnapshotImport_failed, what));
			try {
				for (Path file : files) {
					try {
						Snapshot s = SnapshotStore.getDefault().importStatefile(file, directory, target.project(), sub.split(9));
						sub.subTask(NLS.bind(Messages.PortabilityDialog_checking, s.path().getFileName()));
						PortabilityReport report = Engine.check(s.path());
						sub.split(1);
						imported.add(new Entry(new Picked(s.path(), s.project()), report));
					} catch (CoreException e) {
						failures.add(withFile(file, e.getStatus()));
					} catch (IOException e) {
						failures.add(withFile(file,
								new Status(IStatus.ERROR, CkptUI.PLUGIN_ID, String.valueOf(e.getMessage()), e)));
					}
				}
			} finally {
				// What is imported stays so, also when the rest was cancelled: show it.
				if (!imported.isEmpty()) {
					String message = imported.size() == 1
							? NLS.bind(Messages.SnapshotImport_imported, imported.get(0).statefile().path().getFileName(), directory)
							: NLS.bind(Messages.SnapshotImport_importedMany, Integer.toString(imported.size()), directory);
					PlatformUI.getWorkbench().getDisplay().asyncExec(() -> {
						SnapshotsView view = SnapshotsView.showAndReveal(imported.get(0).statefile().path());
						if (view != null) {
							view.reveal(imported.stream().map(e -> e.statefile().path()).toList());
						}
						PortabilityDialog.show(message, imported);
					});
				}
			}
			if (!failures.isOK()) {
				UiJobs.report(null, failures.getChildren().length == 1 ? failures.getChildren()[0] : failures);
			}
		});
	}

	private static IStatus withFile(Path file, IStatus reason) {
		if (reason.getMessage().contains(file.toString())) {
			return reason;
		}
		return new Status(reason.getSeverity(), reason.getPlugin(), reason.getCode(),
				NLS.bind(Messages.UiJobs_failure, file, reason.getMessage()), reason.getException());
	}

	/** The regular files among dropped or chosen paths (folders and what is gone are left out). */
	public static List<Path> regularFiles(String[] paths) {
		List<Path> files = new ArrayList<>();
		if (paths != null) {
			for (String p : paths) {
				Path path = Path.of(p);
				if (Files.isRegularFile(path)) {
					files.add(path.toAbsolutePath().normalize());
				}
			}
		}
		return files;
	}
}
