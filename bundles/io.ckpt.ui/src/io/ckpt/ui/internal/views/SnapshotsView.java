package io.ckpt.ui.internal.views;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.GroupMarker;
import org.eclipse.jface.action.IMenuManager;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.action.Separator;
import org.eclipse.jface.viewers.ITableLabelProvider;
import org.eclipse.jface.viewers.ITreeContentProvider;
import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeColumn;
import org.eclipse.ui.IViewPart;
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
import io.ckpt.core.Statefile;
import io.ckpt.core.StopLocation;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.handlers.RestartHandler;

/**
 * The Snapshots view: every statefile of the snapshot store, grouped by the debug session that
 * saved it, with its program, stop location, threads, size and time. The list comes from the
 * file system at once; the contents of each statefile are read in the background (and cached by
 * the store) only for the rows that are shown, and filled in as they arrive. The view follows
 * changes on disk. Double-click restarts a statefile.
 */
public class SnapshotsView extends ViewPart {

	static final String NO_SNAPSHOTS_MESSAGE = "No snapshots yet. Stop a C/C++ program at a breakpoint " //$NON-NLS-1$
			+ "and take a snapshot: it will be listed here."; //$NON-NLS-1$

	/** The group of statefiles that no IDE session made (gdb's ckpt save, the command line). */
	public static final String OTHER_GROUP = "Saved outside the IDE"; //$NON-NLS-1$

	static final String[] COLUMN_NAMES = { "Name", "Program", "Stop location", "Threads", "Size", "Time" }; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
	private static final int[] COLUMN_WIDTHS = { 420, 110, 240, 65, 80, 150 };
	private static final int[] COLUMN_ALIGNMENT = { SWT.LEFT, SWT.LEFT, SWT.LEFT, SWT.RIGHT, SWT.RIGHT, SWT.LEFT };
	private static final String PENDING = "\u2026"; //$NON-NLS-1$
	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss") //$NON-NLS-1$
			.withZone(ZoneId.systemDefault());

	/** A session and its statefiles, newest first. */
	public record Group(String label, List<Snapshot> snapshots) {
		Instant latest() {
			return snapshots.isEmpty() ? Instant.EPOCH : time(snapshots.get(0));
		}
	}

	private final SnapshotStore store = SnapshotStore.getDefault();
	private final SnapshotStoreListener listener = this::storeChanged;
	private final Set<Snapshot> pendingUpdates = new HashSet<>();
	private Composite root;
	private Label message;
	private TreeViewer viewer;
	private List<Group> groups = List.of();
	private boolean refreshPending;

	@Override
	public void createPartControl(Composite parent) {
		root = new Composite(parent, SWT.NONE);
		GridLayout layout = new GridLayout(1, false);
		layout.marginWidth = 0;
		layout.marginHeight = 0;
		layout.verticalSpacing = 4;
		root.setLayout(layout);

		message = new Label(root, SWT.WRAP);
		message.setText(NO_SNAPSHOTS_MESSAGE);
		GridData messageData = new GridData(SWT.FILL, SWT.TOP, true, false);
		messageData.horizontalIndent = 4;
		messageData.verticalIndent = 4;
		message.setLayoutData(messageData);

		viewer = new TreeViewer(root, SWT.MULTI | SWT.FULL_SELECTION | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL);
		Tree tree = viewer.getTree();
		tree.setHeaderVisible(true);
		tree.setLinesVisible(true);
		tree.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
		for (int i = 0; i < COLUMN_NAMES.length; i++) {
			TreeColumn column = new TreeColumn(tree, COLUMN_ALIGNMENT[i]);
			column.setText(COLUMN_NAMES[i]);
			column.setWidth(COLUMN_WIDTHS[i]);
			column.setMoveable(true);
		}
		viewer.setUseHashlookup(true);
		viewer.setContentProvider(new Content());
		viewer.setLabelProvider(new Labels());
		viewer.addDoubleClickListener(event -> {
			Object first = viewer.getStructuredSelection().getFirstElement();
			if (first instanceof Snapshot s) {
				RestartHandler.restart(new Picked(s.path(), s.project()));
			} else if (first != null) {
				viewer.setExpandedState(first, !viewer.getExpandedState(first));
			}
		});
		getSite().setSelectionProvider(viewer);

		MenuManager menu = new MenuManager("#PopupMenu"); //$NON-NLS-1$
		menu.add(new GroupMarker("restart")); //$NON-NLS-1$
		menu.add(new Separator("edit")); //$NON-NLS-1$
		menu.add(new Separator(org.eclipse.ui.IWorkbenchActionConstants.MB_ADDITIONS));
		tree.setMenu(menu.createContextMenu(tree));
		getSite().registerContextMenu(menu, viewer);

		IMenuManager viewMenu = getViewSite().getActionBars().getMenuManager();
		Action refresh = new Action("Refresh") { //$NON-NLS-1$
			@Override
			public void run() {
				Job.create("Looking for statefiles", monitor -> { //$NON-NLS-1$
					store.refresh();
					return Status.OK_STATUS;
				}).schedule();
			}
		};
		viewMenu.add(refresh);
		getViewSite().getActionBars().getToolBarManager().add(refresh);

		IContextService contexts = getSite().getService(IContextService.class);
		if (contexts != null) {
			contexts.activateContext(CkptUI.SNAPSHOTS_CONTEXT_ID);
		}

		store.addListener(listener);
		viewer.setInput(store);
		reload();
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

	/** The groups shown (for tests). */
	public List<Group> getGroups() {
		return groups;
	}

	// --- following the store

	private void storeChanged(Kind kind, Collection<Snapshot> snapshots) {
		Display display = root.getDisplay();
		synchronized (pendingUpdates) {
			if (kind == Kind.METADATA) {
				pendingUpdates.addAll(snapshots);
			} else {
				refreshPending = true;
			}
		}
		display.asyncExec(() -> {
			if (viewer == null || viewer.getControl().isDisposed()) {
				return;
			}
			boolean full;
			Snapshot[] updates;
			synchronized (pendingUpdates) {
				full = refreshPending;
				refreshPending = false;
				updates = pendingUpdates.toArray(Snapshot[]::new);
				pendingUpdates.clear();
			}
			if (full) {
				reload();
			} else if (updates.length > 0) {
				viewer.update(updates, null);
			}
		});
	}

	private void reload() {
		List<Group> fresh = group(store.snapshots());
		Set<String> expanded = new HashSet<>();
		for (Object o : viewer.getExpandedElements()) {
			if (o instanceof Group g) {
				expanded.add(g.label());
			}
		}
		boolean first = groups.isEmpty();
		Object[] selection = viewer.getStructuredSelection().toArray();
		groups = fresh;
		viewer.refresh();
		for (Group g : groups) {
			if (first || expanded.contains(g.label()) || !knownGroup(g.label())) {
				viewer.setExpandedState(g, true);
			}
		}
		knownGroups.clear();
		groups.forEach(g -> knownGroups.add(g.label()));
		viewer.setSelection(new StructuredSelection(selection));
		boolean empty = groups.isEmpty();
		if (message.getVisible() != empty) {
			message.setVisible(empty);
			((GridData) message.getLayoutData()).exclude = !empty;
			root.layout(true);
		}
	}

	private final Set<String> knownGroups = new HashSet<>();

	private boolean knownGroup(String label) {
		return knownGroups.contains(label);
	}

	private List<Group> group(List<Snapshot> snapshots) {
		Map<String, List<Snapshot>> byLabel = new LinkedHashMap<>();
		List<Snapshot> sorted = new ArrayList<>(snapshots);
		sorted.sort((x, y) -> time(y).compareTo(time(x)));
		for (Snapshot s : sorted) {
			String label = s.origin() == null || s.origin().session() == null ? OTHER_GROUP : s.origin().session();
			byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(s);
		}
		List<Group> result = new ArrayList<>();
		byLabel.forEach((label, list) -> result.add(new Group(label, List.copyOf(list))));
		result.sort((x, y) -> {
			if (x.label().equals(OTHER_GROUP) != y.label().equals(OTHER_GROUP)) {
				return x.label().equals(OTHER_GROUP) ? 1 : -1;
			}
			return y.latest().compareTo(x.latest());
		});
		return result;
	}

	/** When the file was written: orders rows and groups (the same as the saved time, and known at once). */
	private static Instant time(Snapshot s) {
		return s.modified() == null ? Instant.EPOCH : s.modified();
	}

	// --- revealing

	/** Selects a statefile (if shown). */
	public void reveal(Path path) {
		reload();
		for (Group g : groups) {
			for (Snapshot s : g.snapshots()) {
				if (s.path().equals(path.toAbsolutePath().normalize())) {
					viewer.setExpandedState(g, true);
					viewer.setSelection(new StructuredSelection(s), true);
					return;
				}
			}
		}
	}

	/** Selects the statefiles of a session. */
	public void revealSession(String session) {
		reload();
		for (Group g : groups) {
			if (g.label().equals(session)) {
				viewer.setExpandedState(g, true);
				viewer.setSelection(new StructuredSelection(g.snapshots().toArray()), true);
				return;
			}
		}
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
			UiJobs.report("Could not open the Snapshots view", e.getStatus()); //$NON-NLS-1$
			return null;
		}
	}

	// --- content and labels

	private final class Content implements ITreeContentProvider {
		@Override
		public Object[] getElements(Object input) {
			return groups.toArray();
		}

		@Override
		public Object[] getChildren(Object parent) {
			return parent instanceof Group g ? g.snapshots().toArray() : new Object[0];
		}

		@Override
		public Object getParent(Object element) {
			if (element instanceof Snapshot s) {
				for (Group g : groups) {
					if (g.snapshots().contains(s)) {
						return g;
					}
				}
			}
			return null;
		}

		@Override
		public boolean hasChildren(Object element) {
			return element instanceof Group g && !g.snapshots().isEmpty();
		}
	}

	private final class Labels extends LabelProvider implements ITableLabelProvider {
		@Override
		public Image getColumnImage(Object element, int column) {
			return null;
		}

		@Override
		public String getColumnText(Object element, int column) {
			if (element instanceof Group g) {
				return switch (column) {
				case 0 -> g.label() + (g.snapshots().size() == 1 ? "  (1 snapshot)" : "  (" + g.snapshots().size() + " snapshots)"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				case 5 -> TIME.format(g.latest());
				default -> ""; //$NON-NLS-1$
				};
			}
			if (!(element instanceof Snapshot s)) {
				return ""; //$NON-NLS-1$
			}
			if (column == 0) {
				return s.name();
			}
			Optional<Statefile> meta = store.cachedMetadata(s);
			if (meta.isEmpty() && !store.isMetadataCached(s)) {
				store.requestMetadata(List.of(s)); // read lazily: only rows that are shown ask
			}
			Statefile f = meta.orElse(null);
			switch (column) {
			case 1:
				if (f != null) {
					return f.programName();
				}
				return store.cachedError(s).map(e -> "invalid: " + e).orElse(PENDING); //$NON-NLS-1$
			case 2:
				return f == null ? (store.isMetadataCached(s) ? "" : PENDING) : stop(f.stop()); //$NON-NLS-1$
			case 3:
				return f == null ? "" : Integer.toString(f.threads()); //$NON-NLS-1$
			case 4:
				return human(f != null && f.allocatedBytes() > 0 ? f.allocatedBytes() : s.size());
			case 5:
				return TIME.format(time(s));
			default:
				return ""; //$NON-NLS-1$
			}
		}
	}

	/** {@code function (file:line)}, or the nearest symbol when the debugger did not say. */
	static String stop(StopLocation stop) {
		return stop == null ? "" : stop.display(); //$NON-NLS-1$
	}

	static String human(long bytes) {
		String[] units = { "B", "KiB", "MiB", "GiB", "TiB" }; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
		double v = bytes;
		int u = 0;
		while (v >= 1024 && u < units.length - 1) {
			v /= 1024;
			u++;
		}
		return u == 0 ? bytes + " B" : String.format("%.1f %s", v, units[u]); //$NON-NLS-1$ //$NON-NLS-2$
	}
}
