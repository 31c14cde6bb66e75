package io.ckpt.core.internal;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.IResourceChangeEvent;
import org.eclipse.core.resources.IResourceDelta;
import org.eclipse.core.resources.IWorkspaceRoot;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.IPath;

import io.ckpt.core.SnapshotStore;

/** Maps projects to snapshot directories and keeps the default store's directories in step with the workspace. */
public final class WorkspaceDirectories {

	private WorkspaceDirectories() {
	}

	/** See {@link SnapshotStore#directoryFor(String, String)}. */
	public static Path directoryFor(String projectName, String override) {
		String configured = override != null && !override.isBlank() ? override.trim() : CorePreferences.snapshotDirectory().trim();
		Path base = null;
		if (projectName != null && !projectName.isBlank()) {
			IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject(projectName);
			IPath location = project.getLocation();
			if (location != null) {
				base = location.toPath();
			}
		}
		if (!configured.isEmpty()) {
			Path p = Path.of(configured);
			if (p.isAbsolute()) {
				return p.normalize();
			}
			if (base != null) {
				return base.resolve(p).normalize();
			}
		}
		if (base == null) {
			base = ResourcesPlugin.getWorkspace().getRoot().getLocation().toPath();
		}
		return base.resolve(configured.isEmpty() ? SnapshotStore.DEFAULT_FOLDER : configured).normalize();
	}

	/** Adds every open project's directory to the store, and follows projects and the preference. */
	public static void track(SnapshotStore store) {
		sync(store);
		ResourcesPlugin.getWorkspace().addResourceChangeListener(event -> {
			IResourceDelta delta = event.getDelta();
			if (delta == null) {
				return;
			}
			for (IResourceDelta child : delta.getAffectedChildren()) {
				if (child.getResource().getType() == IResource.PROJECT
						&& (child.getKind() != IResourceDelta.CHANGED || (child.getFlags() & IResourceDelta.OPEN) != 0)) {
					sync(store);
					return;
				}
			}
		}, IResourceChangeEvent.POST_CHANGE);
		CorePreferences.node().addPreferenceChangeListener(event -> {
			if (CorePreferences.SNAPSHOT_DIRECTORY.equals(event.getKey())) {
				sync(store);
			}
		});
	}

	private static synchronized void sync(SnapshotStore store) {
		IWorkspaceRoot root = ResourcesPlugin.getWorkspace().getRoot();
		Set<Path> wanted = new HashSet<>();
		for (IProject project : root.getProjects()) {
			if (project.isOpen() && project.getLocation() != null) {
				Path dir = directoryFor(project.getName(), null);
				if (wanted.add(dir)) {
					store.addDirectory(dir, project.getName());
				}
			}
		}
		Path noProject = directoryFor(null, null);
		if (wanted.add(noProject)) {
			store.addDirectory(noProject, null);
		}
		for (Path dir : store.directories()) {
			if (!wanted.contains(dir) && isProjectDirectory(root, dir)) {
				store.removeDirectory(dir);
			}
		}
	}

	/** Whether a directory lies in a project that is gone or closed (those the workspace gave us). */
	private static boolean isProjectDirectory(IWorkspaceRoot root, Path dir) {
		Path rootPath = root.getLocation().toPath();
		return dir.startsWith(rootPath);
	}
}
