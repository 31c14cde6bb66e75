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
import org.eclipse.debug.core.ILaunch;
import org.eclipse.jface.viewers.CellEditor;
import org.eclipse.jface.viewers.ColumnViewerEditor;
import org.eclipse.jface.viewers.ColumnViewerEditorActivationEvent;
import org.eclipse.jface.viewers.ColumnViewerEditorActivationStrategy;
import org.eclipse.jface.viewers.ICellModifier;
import org.eclipse.jface.viewers.ITableLabelProvider;
import org.eclipse.jface.viewers.TextCellEditor;
import org.eclipse.jface.viewers.TreeViewerEditor;
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

import io.ckpt.core.Annotation;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.SnapshotStoreListener;
import io.ckpt.core.SnapshotStoreListener.Kind;
import io.ckpt.core.Statefile;
import io.ckpt.core.StopLocation;
import io.ckpt.debug.TimeTravel;
import io.ckpt.debug.Timeline;
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
 * <p>
 * It is also each session's timeline: what made each snapshot (a breakpoint, a step, a manual
 * save, a snappoint), its label (F2 edits it; it is kept in the statefile), and its place: its
 * number in the session, the one it followed, its branch, and where the program is now, for
 * sessions whose gdb ckpt follows. Pinned snapshots say so in the Origin column.
 */
public class SnapshotsView extends ViewPart {

	static final String NO_SNAPSHOTS_MESSAGE = "No snapshots yet. Stop a C/C++ program at a breakpoint " //$NON-NLS-1$
			+ "and take a snapshot: it will be listed here."; //$NON-NLS-1$

	/** The group of statefiles that no IDE session made (gdb's ckpt save, the command line). */
	public static final String OTHER_GROUP = "Saved outside the IDE"; //$NON-NLS-1$

	static final String[] COLUMN_NAMES = { "Name", "Program", "Stop location", "Threads", "Size", "Time", "Origin", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$ //$NON-NLS-7$
			"Label", "Timeline" }; //$NON-NLS-1$ //$NON-NLS-2$
	/** Columns by meaning. */
	public static final int ORIGIN_COLUMN = 6, LABEL_COLUMN = 7, TIMELINE_COLUMN = 8;
	private static final int[] COLUMN_WIDTHS = { 220, 60, 150, 60, 75, 150, 110, 130, 180 };
	private static final int[] COLUMN_ALIGNMENT = { SWT.LEFT, SWT.LEFT, SWT.LEFT, SWT.RIGHT, SWT.RIGHT, SWT.LEFT, SWT.LEFT,
			SWT.LEFT, SWT.LEFT };
	private static final String PENDING = "\u2026"; //$NON-NLS-1$
	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss") //$NON-NLS-1$
			.withZone(ZoneId.systemDefault());

	/** A session and its statefiles, newest first; {@code latest} is when the newest was saved. */
	public record Group(String label, List<Snapshot> snapshots, Instant latest) {
	}

	private final SnapshotStore store = SnapshotStore.getDefault();
	private final SnapshotStoreListener listener = this::storeChanged;
	private final TimeTravel.Listener timelineListener = (launch, timeline) -> timelineChanged();
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
		editLabelsInPlace();
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
		TimeTravel.addListener(timelineListener);
		viewer.setInput(store);
		reload();
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

	/** The groups shown (for tests). */
	public List<Group> getGroups() {
		return groups;
	}

	// --- following the store

	private void storeChanged(Kind kind, Collection<Snapshot> snapshots) {
		Display display = root.getDisplay();
		boolean reorder = false;
		if (kind == Kind.METADATA) {
			for (Snapshot s : snapshots) {
				Instant saved = store.cachedMetadata(s).map(Statefile::time).orElse(null);
				if (saved != null && savedTimes.putIfAbsent(s.path(), saved) == null && s.modified() != null
						&& Math.abs(saved.toEpochMilli() - s.modified().toEpochMilli()) > 2000) {
					reorder = true; // saved long before the file was complete or copied: its place changes
				}
			}
		} else if (kind == Kind.REMOVED) {
			snapshots.forEach(s -> savedTimes.remove(s.path()));
		}
		synchronized (pendingUpdates) {
			if (kind == Kind.METADATA && !reorder) {
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

	private static final int UPDATE_CHUNK = 100;

	private void timelineChanged() {
		Display display = root.getDisplay();
		display.asyncExec(() -> {
			if (viewer != null && !viewer.getControl().isDisposed()) {
				viewer.refresh(true); // labels only: the current snapshot and branches moved
			}
		});
	}

	/** F2 (or {@link #editLabel(Snapshot)}) edits a snapshot's label in its row; Enter writes it into the statefile. */
	private void editLabelsInPlace() {
		String[] properties = COLUMN_NAMES.clone();
		viewer.setColumnProperties(properties);
		CellEditor[] editors = new CellEditor[properties.length];
		editors[LABEL_COLUMN] = new TextCellEditor(viewer.getTree());
		viewer.setCellEditors(editors);
		viewer.setCellModifier(new ICellModifier() {
			@Override
			public boolean canModify(Object element, String property) {
				return element instanceof Snapshot && COLUMN_NAMES[LABEL_COLUMN].equals(property);
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
		UiJobs.schedule("Label " + s.path().getFileName(), "Could not label " + s.path().getFileName(), //$NON-NLS-1$ //$NON-NLS-2$
				monitor -> TimeTravel.label(s.path(), label, note, monitor));
	}

	private String label(Snapshot s) {
		Annotation a = store.cachedMetadata(s).map(Statefile::annotation).orElse(null);
		return a == null ? "" : a.label(); //$NON-NLS-1$
	}

	/** {@code #5 after #2, branch 2}, with ▶ where the program is (▷: it ran on from there). */
	String timelineText(Snapshot s, Annotation a) {
		ILaunch session = TimeTravel.sessionOf(s.path());
		Timeline.Entry e = session == null ? null : TimeTravel.timeline(session).find(s.path());
		StringBuilder text = new StringBuilder();
		if (e != null) {
			Timeline t = TimeTravel.timeline(session);
			if (t.current() == e.num()) {
				text.append(t.atCurrent() ? "\u25b6 " : "\u25b7 "); //$NON-NLS-1$ //$NON-NLS-2$
			}
			text.append('#').append(e.num());
			if (e.parent() > 0) {
				text.append(" after #").append(e.parent()); //$NON-NLS-1$
			}
			text.append(", branch ").append(e.branch()); //$NON-NLS-1$
			return text.toString();
		}
		if (a == null || a.sequence() <= 0) {
			return ""; //$NON-NLS-1$
		}
		text.append('#').append(a.sequence());
		if (a.parent() != null) {
			Optional<Annotation> parent = store.find(s.path().resolveSibling(a.parent()))
					.flatMap(store::cachedMetadata).map(Statefile::annotation);
			parent.ifPresent(p -> text.append(" after #").append(p.sequence())); //$NON-NLS-1$
		}
		return text.toString();
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
		Map<Snapshot, Instant> times = new java.util.HashMap<>();
		sorted.forEach(s -> times.put(s, time(s))); // fixed keys: contents may arrive meanwhile
		sorted.sort((x, y) -> times.get(y).compareTo(times.get(x)));
		for (Snapshot s : sorted) {
			String label = s.origin() == null || s.origin().session() == null ? OTHER_GROUP : s.origin().session();
			byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(s);
		}
		List<Group> result = new ArrayList<>();
		byLabel.forEach((label, list) -> result.add(new Group(label, List.copyOf(list), times.get(list.get(0)))));
		result.sort((x, y) -> {
			if (x.label().equals(OTHER_GROUP) != y.label().equals(OTHER_GROUP)) {
				return x.label().equals(OTHER_GROUP) ? 1 : -1;
			}
			return y.latest().compareTo(x.latest());
		});
		return result;
	}

	/**
	 * When it was saved: orders rows and groups. The file's time until its contents have been
	 * read once (about the same, and known at once); the saved time from then on, so that a
	 * statefile whose label was rewritten in place keeps its place.
	 */
	private Instant time(Snapshot s) {
		Instant saved = savedTimes.get(s.path());
		if (saved == null) {
			saved = store.cachedMetadata(s).map(Statefile::time).orElse(null);
			if (saved != null) {
				savedTimes.put(s.path(), saved);
			}
		}
		return saved != null ? saved : s.modified() == null ? Instant.EPOCH : s.modified();
	}

	private final Map<Path, Instant> savedTimes = new java.util.concurrent.ConcurrentHashMap<>();

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
			case ORIGIN_COLUMN: {
				String origin = f == null || f.annotation() == null ? "" : f.annotation().origin(); //$NON-NLS-1$
				return store.isPinned(s) ? (origin.isEmpty() ? "pinned" : origin + ", pinned") : origin; //$NON-NLS-1$ //$NON-NLS-2$
			}
			case LABEL_COLUMN:
				return f == null || f.annotation() == null ? "" : f.annotation().label(); //$NON-NLS-1$
			case TIMELINE_COLUMN:
				return timelineText(s, f == null ? null : f.annotation());
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
