package io.ckpt.ui.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.IPath;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.model.IDebugElement;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.internal.views.SnapshotGroup;

/** Turns selections into what the commands work on. */
public final class Selections {

	/** A statefile picked by the user, and the project it belongs to (may be {@code null}). */
	public record Picked(Path path, String project) {
	}

	private Selections() {
	}

	/** Statefiles in a selection: snapshots of the Snapshots view, or {@code *.ckpt} files of the workspace. */
	public static List<Picked> statefiles(ISelection selection) {
		List<Picked> result = new ArrayList<>();
		if (selection instanceof IStructuredSelection ss) {
			for (Object o : ss) {
				if (o instanceof Snapshot s) {
					result.add(new Picked(s.path(), s.project()));
					continue;
				}
				IFile file = Adapters.adapt(o, IFile.class);
				if (file != null && file.getName().endsWith(SnapshotStore.EXTENSION)) {
					IPath location = file.getLocation();
					if (location != null) {
						result.add(new Picked(location.toPath(), file.getProject().getName()));
					}
				}
			}
		}
		return result;
	}

	/**
	 * The selection a command works on: the current selection of the execution, or else that of
	 * the active part's selection provider (which is the same thing, but can be newer).
	 */
	public static ISelection current(org.eclipse.core.commands.ExecutionEvent event) {
		ISelection selection = org.eclipse.ui.handlers.HandlerUtil.getCurrentSelection(event);
		if (!statefiles(selection).isEmpty() || launch(selection) != null) {
			return selection;
		}
		org.eclipse.ui.IWorkbenchPart part = org.eclipse.ui.handlers.HandlerUtil.getActivePart(event);
		if (part != null && part.getSite() != null && part.getSite().getSelectionProvider() != null) {
			return part.getSite().getSelectionProvider().getSelection();
		}
		return selection;
	}

	/**
	 * The first statefile of the command's selection; with none, tells the user to select one
	 * (under the command's title) and returns {@code null}.
	 */
	public static Picked firstStatefile(org.eclipse.core.commands.ExecutionEvent event, String title) {
		List<Picked> picked = statefiles(current(event));
		if (picked.isEmpty()) {
			org.eclipse.jface.dialogs.MessageDialog.openInformation(org.eclipse.ui.handlers.HandlerUtil.getActiveShell(event),
					title, Messages.Selections_noStatefile);
			return null;
		}
		return picked.get(0);
	}

	/**
	 * The project a command's selection points at (see {@link #project(ISelection)}): in the
	 * current selection, else in the active part's.
	 */
	public static String project(org.eclipse.core.commands.ExecutionEvent event) {
		String project = project(org.eclipse.ui.handlers.HandlerUtil.getCurrentSelection(event));
		org.eclipse.ui.IWorkbenchPart part = org.eclipse.ui.handlers.HandlerUtil.getActivePart(event);
		if (project == null && part != null && part.getSite() != null && part.getSite().getSelectionProvider() != null) {
			project = project(part.getSite().getSelectionProvider().getSelection());
		}
		return project;
	}

	/**
	 * The project the first element of a selection belongs to: a resource's, a statefile's of the
	 * Snapshots view, or that of a group whose statefiles are all of one project; else {@code null}.
	 */
	public static String project(ISelection selection) {
		if (!(selection instanceof IStructuredSelection ss) || ss.isEmpty()) {
			return null;
		}
		return projectOf(ss.getFirstElement());
	}

	/** The project of one element (see {@link #project(ISelection)}), or {@code null}. */
	public static String projectOf(Object o) {
		if (o instanceof Snapshot s) {
			return s.project();
		}
		if (o instanceof SnapshotGroup g) {
			List<String> projects = g.snapshots().stream().map(Snapshot::project).distinct().toList();
			return projects.size() == 1 ? projects.get(0) : null;
		}
		IResource resource = Adapters.adapt(o, IResource.class);
		return resource == null || resource.getProject() == null ? null : resource.getProject().getName();
	}

	/** Snapshots of the store in a selection (files of the workspace too, when the store knows them). */
	public static List<Snapshot> snapshots(ISelection selection) {
		List<Snapshot> result = new ArrayList<>();
		for (Picked p : statefiles(selection)) {
			SnapshotStore.getDefault().find(p.path()).ifPresent(result::add);
		}
		return result;
	}

	/** The launch of a debug element, a process, a launch, or anything that adapts to one. */
	public static ILaunch launch(Object element) {
		if (element instanceof ILaunch l) {
			return l;
		}
		if (element instanceof IDebugElement d) {
			return d.getLaunch();
		}
		if (element instanceof IProcess p) {
			return p.getLaunch();
		}
		return element == null ? null : Adapters.adapt(element, ILaunch.class);
	}

	/** The launch of the first element of a selection. */
	public static ILaunch launch(ISelection selection) {
		if (selection instanceof IStructuredSelection ss && !ss.isEmpty()) {
			return launch(ss.getFirstElement());
		}
		return null;
	}

	/** The launches of the elements of a selection, each once, in the selection's order. */
	public static List<ILaunch> launches(ISelection selection) {
		List<ILaunch> result = new ArrayList<>();
		if (selection instanceof IStructuredSelection ss) {
			for (Object o : ss) {
				ILaunch l = launch(o);
				if (l != null && !result.contains(l)) {
					result.add(l);
				}
			}
		}
		return result;
	}
}
