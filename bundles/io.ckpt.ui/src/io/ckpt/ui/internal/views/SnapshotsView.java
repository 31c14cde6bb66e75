package io.ckpt.ui.internal.views;

import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.GroupMarker;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.Separator;
import org.eclipse.jface.viewers.CellEditor;
import org.eclipse.jface.viewers.IElementComparer;
import org.eclipse.jface.viewers.ColumnViewerEditor;
import org.eclipse.jface.viewers.ColumnViewerEditorActivationEvent;
import org.eclipse.jface.viewers.ColumnViewerEditorActivationStrategy;
import org.eclipse.jface.viewers.ICellModifier;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TextCellEditor;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.jface.viewers.TreeViewerEditor;
import org.eclipse.osgi.util.NLS;
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
import io.ckpt.core.SnapshotStoreListener.Kind;
import io.ckpt.core.SnapshotStoreListener;
import io.ckpt.debug.TimeTravel;
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
 * <p>
 * It is also each session's timeline: what made each snapshot (a breakpoint, a step, a manual
 * save, a snappoint), its label (F2 edits it; it is kept in the statefile), and its place: its
 * number in the session, the one it followed, its branch, and where the program is now, for
 * sessions whose gdb ckpt follows. Pinned snapshots say so in the Origin column.
 */
public class SnapshotsView extends ViewPart {

	/** Columns by meaning (for tests: the index of a column in each row). */
	public static final int ORIGIN_COLUMN = SnapshotColumn.ORIGIN.ordinal(), LABEL_COLUMN = SnapshotColumn.LABEL.ordinal(),
			TIMELINE_COLUMN = SnapshotColumn.TIMELINE.ordinal();

	/** Rows updated at a time when contents arrive, so that the UI thread is never held long. */
	private static final int UPDATE_CHUNK = 100;

	private final SnapshotStore store = SnapshotStore.getDefault();
	private final SnapshotStoreListener listener = this::storeChanged;
	private final TimeTravel.Listener timelineListener = (launch, timeline) -> timelineChanged();
	private final SnapshotGroups groups = new SnapshotGroups(store);
	/** Labels of the groups shown so far: a group that is new is shown expanded. */
	private final Set<String> knownGroups = new HashSet<>();
	private final Set<Snapshot> pendingUpdates = new HashSet<>();
	private boolean reloadPending;
	/** A statefile to select once the store lists it (a save's file shows up a moment later). */
	private Path revealWhenListed;
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
		viewer.setLabelProvider(new SnapshotsLabelProvider(store, groups));
		editLabelsInPlace();
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

		// A row stays the same row while its statefile or session does, whatever else changed:
		// a reload then keeps its item (and a drag over it, the selection, the expansion).
		viewer.setComparer(new IElementComparer() {
			@Override
			public boolean equals(Object a, Object b) {
				return rowKey(a).equals(rowKey(b));
			}

			@Override
			public int hashCode(Object element) {
				return rowKey(element).hashCode();
			}
		});
		store.addListener(listener);
		TimeTravel.addListener(timelineListener);
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
		TimeTravel.removeListener(timelineListener);
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
		boolean reorder = false;
		if (kind == Kind.METADATA) {
			reorder = groups.contentsArrived(snapshots); // saved long before the file was written: its place changes
		} else if (kind == Kind.REMOVED) {
			groups.removed(snapshots);
		}
		synchronized (pendingUpdates) {
			if (kind == Kind.METADATA && !reorder) {
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
				updateInChunks(updates, 0);
			}
		});
	}

	/** Rows whose contents arrived, a few at a time, so that the UI thread is never held long. */
	private void updateInChunks(Snapshot[] updates, int from) {
		int to = Math.min(updates.length, from + UPDATE_CHUNK);
		viewer.update(java.util.Arrays.copyOfRange(updates, from, to), null);
		if (to < updates.length) {
			viewer.getControl().getDisplay().asyncExec(() -> {
				if (!viewer.getControl().isDisposed()) {
					updateInChunks(updates, to);
				}
			});
		}
	}

	private void timelineChanged() {
		root.getDisplay().asyncExec(() -> {
			if (viewer != null && !viewer.getControl().isDisposed()) {
				viewer.refresh(true); // labels only: the current snapshot and branches moved
			}
		});
	}

	/** F2 (or {@link #editLabel(Snapshot)}) edits a snapshot's label in its row; Enter writes it into the statefile. */
	private void editLabelsInPlace() {
		String[] properties = new String[SnapshotColumn.values().length];
		for (SnapshotColumn c : SnapshotColumn.values()) {
			properties[c.ordinal()] = c.name();
		}
		viewer.setColumnProperties(properties);
		CellEditor[] editors = new CellEditor[properties.length];
		editors[LABEL_COLUMN] = new TextCellEditor(viewer.getTree());
		viewer.setCellEditors(editors);
		viewer.setCellModifier(new ICellModifier() {
			@Override
			public boolean canModify(Object element, String property) {
				return element instanceof Snapshot && SnapshotColumn.LABEL.name().equals(property);
			}

			@Override
			public Object getValue(Object element, String property) {
				return label((Snapshot) element);
			}

			@Override
			public void modify(Object element, String property, Object value) {
				Object data = element instanceof org.eclipse.swt.widgets.Item item ? item.getData() : element;
				if (data instanceof Snapshot s && value instanceof String text && !text.equals(label(s))) {
					setLabel(s, text, null);
				}
			}
		});
		TreeViewerEditor.create(viewer, new ColumnViewerEditorActivationStrategy(viewer) {
			@Override
			protected boolean isEditorActivationEvent(ColumnViewerEditorActivationEvent event) {
				return event.eventType == ColumnViewerEditorActivationEvent.PROGRAMMATIC
						|| event.eventType == ColumnViewerEditorActivationEvent.KEY_PRESSED && event.keyCode == SWT.F2;
			}
		}, ColumnViewerEditor.DEFAULT);
	}

	/** Starts editing a snapshot's label in its row. */
	public void editLabel(Snapshot s) {
		viewer.editElement(s, LABEL_COLUMN);
	}

	/** Writes a label and/or note into the statefile in a job (through its session's gdb when it has one). */
	public static void setLabel(Snapshot s, String label, String note) {
		UiJobs.schedule(NLS.bind(Messages.SnapshotsView_labelJob, s.path().getFileName()),
				NLS.bind(Messages.SnapshotsView_labelFailed, s.path().getFileName()),
				monitor -> TimeTravel.label(s.path(), label, note, monitor));
	}

	private String label(Snapshot s) {
		return SnapshotsLabelProvider.label(store.cachedMetadata(s).orElse(null));
	}

	/** What identifies a row: a session's label, or a statefile's path. */
	private static Object rowKey(Object element) {
		if (element instanceof SnapshotGroup g) {
			return List.of("group", g.label()); //$NON-NLS-1$
		}
		if (element instanceof Snapshot s) {
			return s.path();
		}
		return element;
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
		if (revealWhenListed != null && select(revealWhenListed)) {
			revealWhenListed = null;
		}
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
		revealWhenListed = null;
		reload();
		Path file = path.toAbsolutePath().normalize();
		if (!select(file)) {
			revealWhenListed = file;
		}
	}

	private boolean select(Path file) {
		for (SnapshotGroup g : groups.groups()) {
			for (Snapshot s : g.snapshots()) {
				if (s.path().equals(file)) {
					viewer.setExpandedState(g, true);
					viewer.setSelection(new StructuredSelection(s), true);
					return true;
				}
			}
		}
		return false;
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
