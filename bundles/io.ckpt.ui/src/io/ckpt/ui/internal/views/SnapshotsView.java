package io.ckpt.ui.internal.views;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.GroupMarker;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.Separator;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.dnd.DND;
import org.eclipse.swt.dnd.FileTransfer;
import org.eclipse.swt.dnd.Transfer;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeColumn;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbenchActionConstants;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.contexts.IContextService;
import org.eclipse.ui.part.ViewPart;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.SnapshotStoreListener;
import io.ckpt.core.SnapshotStoreListener.Kind;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.handlers.RestartHandler;

/**
 * The Snapshots view: every statefile of the snapshot store, grouped by the debug session that
 * saved it ({@link SnapshotGroups}), with its program, stop location, threads, size and time
 * ({@link SnapshotsLabelProvider}). The list comes from the file system at once; the contents of
 * each statefile are read in the background (and cached by the store) only for the rows that are
 * shown, and filled in as they arrive. The view follows changes on disk. Double-click restarts a
 * statefile; files dropped onto it are imported ({@link SnapshotsDropAdapter}).
 */
public class SnapshotsView extends ViewPart {

	private final SnapshotStore store = SnapshotStore.getDefault();
	private final SnapshotStoreListener listener = this::storeChanged;
	private final SnapshotGroups groups = new SnapshotGroups();
	/** Labels of the groups shown so far: a group that is new is shown expanded. */
	private final Set<String> knownGroups = new HashSet<>();
	private final Set<Snapshot> pendingUpdates = new HashSet<>();
	private boolean reloadPending;
	private Composite root;
	private Label message;
	private TreeViewer viewer;

	@Override
	public void createPartControl(Composite parent) {
		root = new Composite(parent, SWT.NONE);
		GridLayout layout = new GridLayout(1, false);
		layout.marginWidth = 0;
		layout.marginHeight = 0;
		layout.verticalSpacing = 4;
		root.setLayout(layout);

		message = new Label(root, SWT.WRAP);
		message.setText(Messages.SnapshotsView_empty);
		GridData messageData = new GridData(SWT.FILL, SWT.TOP, true, false);
		messageData.horizontalIndent = 4;
		messageData.verticalIndent = 4;
		message.setLayoutData(messageData);

		viewer = new TreeViewer(root, SWT.MULTI | SWT.FULL_SELECTION | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL);
		Tree tree = viewer.getTree();
		tree.setHeaderVisible(true);
		tree.setLinesVisible(true);
		tree.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
		for (SnapshotColumn c : SnapshotColumn.values()) {
			TreeColumn column = new TreeColumn(tree, c.alignment);
			column.setText(c.title);
			column.setWidth(c.width);
			column.setMoveable(true);
		}
		viewer.setUseHashlookup(true);
		viewer.setContentProvider(new SnapshotsContentProvider());
		viewer.setLabelProvider(new SnapshotsLabelProvider(store));
		viewer.addDoubleClickListener(event -> {
			Object first = viewer.getStructuredSelection().getFirstElement();
			if (first instanceof Snapshot s) {
				RestartHandler.restart(new Picked(s.path(), s.project()));
			} else if (first != null) {
				viewer.setExpandedState(first, !viewer.getExpandedState(first));
			}
		});
		viewer.addDropSupport(DND.DROP_COPY | DND.DROP_MOVE | DND.DROP_DEFAULT, new Transfer[] { FileTransfer.getInstance() },
				new SnapshotsDropAdapter(viewer));
		getSite().setSelectionProvider(viewer);
		createContextMenu(tree);
		createRefreshAction();

		IContextService contexts = getSite().getService(IContextService.class);
		if (contexts != null) {
			contexts.activateContext(CkptUI.SNAPSHOTS_CONTEXT_ID);
		}

		store.addListener(listener);
		viewer.setInput(groups);
		reload();
	}

	/** The menu's commands come from plugin.xml, into these groups. */
	private void createContextMenu(Tree tree) {
		MenuManager menu = new MenuManager("#PopupMenu"); //$NON-NLS-1$
		menu.add(new GroupMarker("restart")); //$NON-NLS-1$
		menu.add(new Separator("edit")); //$NON-NLS-1$
		menu.add(new Separator(IWorkbenchActionConstants.MB_ADDITIONS));
		tree.setMenu(menu.createContextMenu(tree));
		getSite().registerContextMenu(menu, viewer);
	}

	private void createRefreshAction() {
		Action refresh = new Action(Messages.SnapshotsView_refresh) {
			@Override
			public void run() {
				Job.create(Messages.SnapshotsView_refreshJob, monitor -> {
					store.refresh();
					return Status.OK_STATUS;
				}).schedule();
			}
		};
		getViewSite().getActionBars().getMenuManager().add(refresh);
		getViewSite().getActionBars().getToolBarManager().add(refresh);
	}

	@Override
	public void dispose() {
		store.removeListener(listener);
		super.dispose();
	}

	@Override
	public void setFocus() {
		viewer.getControl().setFocus();
	}

	/** The tree (for tests). */
	public TreeViewer getViewer() {
		return viewer;
	}

	// --- following the store

	/** On a store thread: a new list reloads the tree, read contents update their rows; both batched for the UI thread. */
	private void storeChanged(Kind kind, Collection<Snapshot> snapshots) {
		synchronized (pendingUpdates) {
			if (kind == Kind.METADATA) {
				pendingUpdates.addAll(snapshots);
			} else {
				reloadPending = true;
			}
		}
		root.getDisplay().asyncExec(() -> {
			if (viewer == null || viewer.getControl().isDisposed()) {
				return;
			}
			boolean reload;
			Snapshot[] updates;
			synchronized (pendingUpdates) {
				reload = reloadPending;
				reloadPending = false;
				updates = pendingUpdates.toArray(Snapshot[]::new);
				pendingUpdates.clear();
			}
			if (reload) {
				reload();
			} else if (updates.length > 0) {
				viewer.update(updates, null);
			}
		});
	}

	/** Groups the store's statefiles again, keeping what was expanded and selected. */
	private void reload() {
		Set<String> expanded = new HashSet<>();
		for (Object o : viewer.getExpandedElements()) {
			if (o instanceof SnapshotGroup g) {
				expanded.add(g.label());
			}
		}
		boolean first = groups.isEmpty();
		Object[] selection = viewer.getStructuredSelection().toArray();
		groups.update(store.snapshots());
		viewer.refresh();
		for (SnapshotGroup g : groups.groups()) {
			if (first || expanded.contains(g.label()) || !knownGroups.contains(g.label())) {
				viewer.setExpandedState(g, true);
			}
		}
		knownGroups.clear();
		groups.groups().forEach(g -> knownGroups.add(g.label()));
		viewer.setSelection(new StructuredSelection(selection));
		boolean empty = groups.isEmpty();
		if (message.getVisible() != empty) {
			message.setVisible(empty);
			((GridData) message.getLayoutData()).exclude = !empty;
			root.layout(true);
		}
	}

	// --- revealing

	/** Selects a statefile (if shown). */
	public void reveal(Path path) {
		reload();
		Path file = path.toAbsolutePath().normalize();
		for (SnapshotGroup g : groups.groups()) {
			for (Snapshot s : g.snapshots()) {
				if (s.path().equals(file)) {
					viewer.setExpandedState(g, true);
					viewer.setSelection(new StructuredSelection(s), true);
					return;
				}
			}
		}
	}

	/** Selects statefiles (those shown). */
	public void reveal(java.util.List<Path> paths) {
		reload();
		Set<Path> files = new HashSet<>();
		paths.forEach(p -> files.add(p.toAbsolutePath().normalize()));
		java.util.List<Snapshot> found = new java.util.ArrayList<>();
		for (SnapshotGroup g : groups.groups()) {
			for (Snapshot s : g.snapshots()) {
				if (files.contains(s.path())) {
					viewer.setExpandedState(g, true);
					found.add(s);
				}
			}
		}
		viewer.setSelection(new StructuredSelection(found), true);
	}

	/** Selects the statefiles of a session. */
	public void revealSession(String session) {
		reload();
		groups.find(session).ifPresent(g -> {
			viewer.setExpandedState(g, true);
			viewer.setSelection(new StructuredSelection(g.snapshots().toArray()), true);
		});
	}

	/** Opens the view in the active page and selects a statefile ({@code null}: just open it). */
	public static SnapshotsView showAndReveal(Path path) {
		SnapshotsView view = show();
		if (view != null && path != null) {
			view.reveal(path);
		}
		return view;
	}

	/** Opens the view and selects the statefiles of a session. */
	public static SnapshotsView showAndRevealSession(String session) {
		SnapshotsView view = show();
		if (view != null) {
			view.revealSession(session);
		}
		return view;
	}

	private static SnapshotsView show() {
		IWorkbenchWindow window = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
		if (window == null && PlatformUI.getWorkbench().getWorkbenchWindowCount() > 0) {
			window = PlatformUI.getWorkbench().getWorkbenchWindows()[0];
		}
		if (window == null || window.getActivePage() == null) {
			return null;
		}
		IWorkbenchPage page = window.getActivePage();
		try {
			IViewPart part = page.showView(CkptUI.SNAPSHOTS_VIEW_ID, null, IWorkbenchPage.VIEW_VISIBLE);
			page.bringToTop(part);
			return part instanceof SnapshotsView v ? v : null;
		} catch (PartInitException e) {
			UiJobs.report(Messages.SnapshotsView_notOpened, e.getStatus());
			return null;
		}
	}
}
