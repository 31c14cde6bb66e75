package io.ckpt.ui.internal.views;

import org.eclipse.jface.viewers.ITreeContentProvider;
import org.eclipse.jface.viewers.Viewer;

import io.ckpt.core.Snapshot;

/** The tree of the Snapshots view: the {@link SnapshotGroups} given as input, and their statefiles. */
final class SnapshotsContentProvider implements ITreeContentProvider {

	private static final Object[] NONE = {};

	/** {@code null} until there is input. */
	private SnapshotGroups model;

	@Override
	public void inputChanged(Viewer viewer, Object oldInput, Object newInput) {
		model = newInput instanceof SnapshotGroups g ? g : null;
	}

	@Override
	public Object[] getElements(Object input) {
		return model == null ? NONE : model.groups().toArray();
	}

	@Override
	public Object[] getChildren(Object parent) {
		return parent instanceof SnapshotGroup g ? g.snapshots().toArray() : NONE;
	}

	@Override
	public Object getParent(Object element) {
		return element instanceof Snapshot s && model != null ? model.groupOf(s).orElse(null) : null;
	}

	@Override
	public boolean hasChildren(Object element) {
		return element instanceof SnapshotGroup g && !g.snapshots().isEmpty();
	}
}
