package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.swt.SWT;
import org.eclipse.swt.dnd.DND;
import org.eclipse.swt.dnd.DragSource;
import org.eclipse.swt.dnd.DragSourceAdapter;
import org.eclipse.swt.dnd.DragSourceEvent;
import org.eclipse.swt.dnd.FileTransfer;
import org.eclipse.swt.dnd.Transfer;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.dialogs.ElementListSelectionDialog;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.PortabilityCheck;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.CkptDebug;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.dialogs.PortabilityDialog;
import io.ckpt.ui.internal.handlers.ImportSnapshotHandler;
import io.ckpt.ui.internal.views.SnapshotGroups;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * A teammate's statefile, in a real workbench with the real engine: a program linked against a
 * private shared library is dumped outside the workspace; Import Snapshot copies it into a
 * project's snapshot directory (a free name beside the one that is there already), shows the
 * portability report and the new row in the Snapshots view. Then the library is rebuilt: Check
 * Portability shows the problem with its remedy, and Restart from Snapshot shows the same report
 * instead of restarting. Putting the library back and Check Again makes it restartable. Last, the
 * statefile is dragged onto the Snapshots view through the X server (real mouse events, the
 * platform's drag and drop) and imported again.
 */
@TestMethodOrder(OrderAnnotation.class)
class ImportSnapshotTest {

	private static final String PROJECT = "shared"; //$NON-NLS-1$
	private static final ImportSnapshotHandler.FileChooser DEFAULT_CHOOSER = ImportSnapshotHandler.chooser;

	@TempDir
	static Path teammate;

	private static Path statefile;
	private static Path parser;
	private static Path libDir;
	private static Path snapshots;
	private static Snapshot imported;
	private static final Set<Shell> seen = new HashSet<>();

	@BeforeAll
	static void aTeammatesStatefileAndTwoProjects() throws Exception {
		for (String name : List.of(PROJECT, "elsewhere")) { // two open projects: the import asks which one //$NON-NLS-1$
			IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject(name);
			if (!p.exists()) {
				p.create(null);
			}
			p.open(null);
		}
		libDir = Files.createDirectories(teammate.resolve("build")); //$NON-NLS-1$
		parser = TestPrograms.compileWithPrivateLibrary(libDir);
		Process p = TestPrograms.startParser(parser, libDir.resolve("parser.out")); //$NON-NLS-1$
		statefile = teammate.resolve("bug.ckpt"); //$NON-NLS-1$
		Engine.dump(p.pid(), statefile, DumpMode.KILL, null);
		p.waitFor();
		snapshots = SnapshotStore.directoryFor(PROJECT);
		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, Ui.window());
	}

	@AfterEach
	void closeTheReports() {
		for (PortabilityDialog d : reports()) {
			d.close();
		}
		Ui.spin(100);
	}

	@AfterAll
	static void putTheChooserBack() {
		ImportSnapshotHandler.chooser = DEFAULT_CHOOSER;
	}

	@Test
	@Order(1)
	void importCopiesUnderAFreeNameAndShowsTheReportAndTheRow() throws Exception {
		// Imported once already: that copy keeps its name, the new one gets the next free one.
		Files.createDirectories(snapshots);
		Files.copy(statefile, snapshots.resolve("bug.ckpt")); //$NON-NLS-1$
		Path expected = snapshots.resolve("bug-2.ckpt"); //$NON-NLS-1$

		SnapshotsView.showAndReveal(null);
		ImportSnapshotHandler.chooser = shell -> List.of(statefile); // the native file dialog cannot be driven
		// Two projects are open and none is selected: the import asks, in a modal dialog; pick "shared".
		AtomicReference<String> asked = new AtomicReference<>();
		whenShellOpens(s -> s.getData() instanceof ElementListSelectionDialog, s -> {
			asked.set(s.getText());
			Table list = Ui.find(s, Table.class, t -> true);
			for (TableItem item : list.getItems()) { // the list fills in the background
				if (item.getText().equals(PROJECT)) {
					list.setSelection(item);
					list.notifyListeners(SWT.Selection, new Event());
					Button ok = Ui.find(s, Button.class, b -> b.getText().equals("OK")); //$NON-NLS-1$
					if (ok.isEnabled()) {
						ok.notifyListeners(SWT.Selection, new Event());
						return true;
					}
				}
			}
			return false;
		});
		Ui.window().getActivePage().showView(IDebugUIConstants.ID_DEBUG_VIEW); // nothing of a project selected
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.IMPORT_COMMAND, null);
		assertEquals("Import Snapshot", asked.get(), "the import did not ask for the project"); //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitForJobs(60);

		// The copy: the next free name, mode 0600, the same bytes; the one that was there is untouched.
		assertTrue(Files.isRegularFile(expected), expected + " is missing"); //$NON-NLS-1$
		assertEquals(-1, Files.mismatch(statefile, expected));
		assertEquals(-1, Files.mismatch(statefile, snapshots.resolve("bug.ckpt"))); //$NON-NLS-1$
		assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(expected))); //$NON-NLS-1$
		imported = SnapshotStore.getDefault().find(expected).orElseThrow();
		assertTrue(imported.origin().isImported());
		assertEquals(PROJECT, imported.project());

		// The report: restart can work here, a row per check, the library among them.
		PortabilityDialog report = waitForReport();
		assertEquals("Portability of bug-2.ckpt", report.getShell().getText()); //$NON-NLS-1$
		assertEquals("Restart can work here", report.summary(0)); //$NON-NLS-1$
		List<PortabilityCheck> checks = report.entries().get(0).report().checks();
		Table table = report.table(0);
		assertEquals(List.of("Status", "Area", "Subject", "State", "Remedy"), columns(table)); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
		assertEquals(checks.size(), table.getItemCount());
		assertTrue(rows(table).contains(List.of("ok", "file", libDir.resolve("libparse.so").toString(), "the same as when saved", "")), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
				rows(table).toString());
		assertNotNull(table.getItem(0).getImage(0), "no status icon"); //$NON-NLS-1$
		assertTrue(button(report, "&Restart").isEnabled()); //$NON-NLS-1$

		// The Snapshots view shows it, selected, in the group of imported statefiles.
		SnapshotsView view = (SnapshotsView) Ui.window().getActivePage().findView(CkptUI.SNAPSHOTS_VIEW_ID);
		TreeItem row = SaveRestartTest.row(view, imported);
		assertNotNull(row, "no row for the imported statefile"); //$NON-NLS-1$
		assertEquals("bug-2", row.getText(0)); //$NON-NLS-1$
		assertEquals(SnapshotGroups.IMPORTED + "  (1 snapshot)", row.getParentItem().getText(0)); //$NON-NLS-1$
		assertEquals(imported, view.getViewer().getStructuredSelection().getFirstElement());
		Ui.waitFor("the row's program", 20, () -> "parser".equals(SaveRestartTest.row(view, imported).getText(1))); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	@Order(2)
	void checkPortabilityShowsTheRebuiltLibraryWithItsRemedy() throws Exception {
		assertNotNull(imported, "needs the import of the first test"); //$NON-NLS-1$
		TestPrograms.rebuildPrivateLibrary(libDir);
		selectInTheView(imported);
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.CHECK_PORTABILITY_COMMAND, null);
		Ui.waitForJobs(60);
		PortabilityDialog report = waitForReport();
		assertEquals("1 problem: restart cannot work here", report.summary(0)); //$NON-NLS-1$
		Table table = report.table(0);
		// Problems first.
		List<String> first = rows(table).get(0);
		assertEquals("problem", first.get(0)); //$NON-NLS-1$
		assertEquals("file", first.get(1)); //$NON-NLS-1$
		assertEquals(libDir.resolve("libparse.so").toString(), first.get(2)); //$NON-NLS-1$
		assertTrue(first.get(3).startsWith("changed since the snapshot"), first.get(3)); //$NON-NLS-1$
		assertTrue(first.get(4).startsWith("put back the file"), first.get(4)); //$NON-NLS-1$
		assertFalse(button(report, "&Restart").isEnabled(), "Restart is offered for a statefile that cannot restart"); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	@Order(3)
	void restartShowsTheReportInsteadOfRestarting() throws Exception {
		assertNotNull(imported);
		selectInTheView(imported);
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.RESTART_COMMAND, null);
		Ui.waitForJobs(60);
		PortabilityDialog report = waitForReport();
		assertEquals("1 problem: restart cannot work here", report.summary(0)); //$NON-NLS-1$
		assertEquals(imported.path(), report.entries().get(0).report().statefile());
		assertTrue(rows(report.table(0)).get(0).get(2).endsWith("libparse.so")); //$NON-NLS-1$
		Label intro = Ui.find(report.getShell(), Label.class, l -> l.getText().startsWith("Restart from Snapshot did not restart")); //$NON-NLS-1$
		assertNotNull(intro, "the report does not say that the restart did not happen"); //$NON-NLS-1$
		report.getShell().setSize(1240, 560);
		report.getShell().layout(true, true);
		Ui.screenshot(report.getShell(), "portability-report.png"); //$NON-NLS-1$

		// Nothing was started: no launch for the statefile, and no process runs the program.
		for (ILaunch l : DebugPlugin.getDefault().getLaunchManager().getLaunches()) {
			assertFalse(l.getLaunchConfiguration() != null
					&& imported.path().toString().equals(l.getLaunchConfiguration().getAttribute(CkptDebug.ATTR_STATEFILE, "")), //$NON-NLS-1$
					"a launch was made for a statefile that cannot restart"); //$NON-NLS-1$
		}
		assertEquals(List.of(), processesOf(parser), "a process runs " + parser); //$NON-NLS-1$

		// The remedy: put back the library the program had (the same build gives the same build-id).
		TestPrograms.putBackPrivateLibrary(libDir);
		button(report, "Check &Again").notifyListeners(SWT.Selection, new Event()); //$NON-NLS-1$
		Ui.waitForJobs(60);
		Ui.waitFor("the report checked again", 20, () -> report.summary(0).equals("Restart can work here")); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(button(report, "&Restart").isEnabled()); //$NON-NLS-1$
	}

	@Test
	@Order(4)
	void aFileDroppedOntoTheViewIsImported() throws Exception {
		assertNotNull(imported);
		SnapshotsView view = SnapshotsView.showAndReveal(imported.path());
		IWorkbenchPage page = Ui.window().getActivePage();
		page.activate(view);
		Ui.spin(300);
		// Nothing may lie over the drop point: the dialogs earlier tests left open (the portability
		// report is not modal), and the row must be scrolled into sight (earlier tests of the suite
		// fill the view with other projects' rows).
		for (Shell s : Display.getCurrent().getShells()) {
			if (s != Ui.window().getShell() && s.isVisible()) {
				s.close();
			}
		}
		// The debug sessions earlier tests of the suite left are followed and their snapshots
		// shown as they change, which rebuilds the rows under the drag: end them first.
		Ui.terminateLaunches();
		ILaunchManager launches = DebugPlugin.getDefault().getLaunchManager();
		launches.removeLaunches(launches.getLaunches());
		Ui.waitForJobs(60);
		Ui.spin(1500);
		TreeItem target = SaveRestartTest.row(view, imported);
		assertNotNull(target);
		// Not at an edge of the tree: a drag that lingers there scrolls it (GTK's drag auto-scroll),
		// and the drop would land on another row.  Two rows above it go to the top.
		Tree rowsTree = target.getParent();
		List<TreeItem> shown = new ArrayList<>();
		visibleRows(rowsTree.getItems(), shown);
		rowsTree.setTopItem(shown.get(Math.max(0, shown.indexOf(target) - 2)));
		Ui.spin(300);
		Rectangle bounds = target.getBounds(0);
		Tree tree = view.getViewer().getTree();
		// Aim at the row itself: on GTK an item's bounds may leave out the header above the rows.
		Point local = new Point(bounds.x + bounds.width / 2, bounds.y + bounds.height / 2);
		if (tree.getItem(local) != target) {
			local.y += tree.getHeaderHeight();
		}
		assertEquals(target, tree.getItem(local), "the drop point is on the row"); //$NON-NLS-1$
		Point to = tree.toDisplay(local);

		// A file manager's window beside it, offering the statefile as a file to drag.
		Display display = Display.getCurrent();
		Shell fileManager = new Shell(display, SWT.ON_TOP | SWT.NO_TRIM);
		fileManager.setLayout(new FillLayout());
		Label file = new Label(fileManager, SWT.BORDER | SWT.CENTER);
		file.setText(statefile.getFileName().toString());
		fileManager.setBounds(to.x - 300, to.y + 60, 160, 60);
		DragSource source = new DragSource(file, DND.DROP_COPY | DND.DROP_MOVE);
		source.setTransfer(new Transfer[] { FileTransfer.getInstance() });
		List<String> offered = new ArrayList<>();
		source.addDragListener(new DragSourceAdapter() {
			@Override
			public void dragSetData(DragSourceEvent event) {
				event.data = new String[] { statefile.toString() };
				offered.add(statefile.toString());
			}
		});
		fileManager.open();
		Ui.spin(500);
		try {
			Point from = file.toDisplay(80, 30);
			drag(display, from, to);
			Ui.waitFor("the dropped file's data to be asked for", 20, () -> !offered.isEmpty()); //$NON-NLS-1$
			Ui.spin(500);
			Ui.waitForJobs(60);
		} finally {
			fileManager.dispose();
		}

		// Dropped on a row of the project "shared": imported there without asking, under the next free name.
		Path third = snapshots.resolve("bug-3.ckpt"); //$NON-NLS-1$
		try {
			Ui.waitFor(third + " after the drop", 20, () -> Files.isRegularFile(third)); //$NON-NLS-1$
		} catch (AssertionError e) {
			StringBuilder shells = new StringBuilder();
			for (Shell s : Display.getCurrent().getShells()) {
				shells.append(" [").append(s.getText()).append(s.isVisible() ? " visible" : "").append(']'); //$NON-NLS-1$ //$NON-NLS-2$
			}
			Control at = Display.getCurrent().getCursorControl();
			StringBuilder found = new StringBuilder();
			for (IProject p : ResourcesPlugin.getWorkspace().getRoot().getProjects()) {
				try (var files = Files.walk(p.getLocation().toFile().toPath())) {
					files.filter(f -> f.getFileName().toString().startsWith("bug")).forEach(f -> found.append(' ').append(f)); //$NON-NLS-1$
				}
			}
			StringBuilder rows = new StringBuilder();
			for (TreeItem i : tree.getItems()) {
				rows.append(" {").append(i.getText(0)).append(" @").append(i.getBounds(0).y).append('}');
			}
			throw new AssertionError(e.getMessage() + "; shells:" + shells + "; under the cursor: " + at + "; row " //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
					+ (target.isDisposed() ? "(disposed)" : target.getText(0)) + " at " + to + "; files named bug*:" //$NON-NLS-1$ //$NON-NLS-2$
					+ found + "; rows:" + rows, e); //$NON-NLS-1$
		}
		assertEquals(-1, Files.mismatch(statefile, third));
		assertTrue(Files.exists(statefile), "the drop moved the teammate's file"); //$NON-NLS-1$
		PortabilityDialog report = waitForReport();
		assertEquals(third, report.entries().get(0).statefile().path());
		assertEquals("Restart can work here", report.summary(0)); //$NON-NLS-1$
		Snapshot dropped = SnapshotStore.getDefault().find(third).orElseThrow();
		assertEquals(PROJECT, dropped.project());
		assertNotNull(SaveRestartTest.row(view, dropped), "no row for the dropped statefile"); //$NON-NLS-1$
	}

	@Test
	@Order(5)
	void theCommandsAreWhereTheReadmeSaysTheyAre() throws Exception {
		// File > Import Snapshot..., next to Import... and Export...; Run > Import Snapshot..., after Save Snapshot.
		List<String> file = menu("File"); //$NON-NLS-1$
		int importAt = file.indexOf("Import Snapshot..."); //$NON-NLS-1$
		assertTrue(importAt > 0 && file.get(importAt - 1).startsWith("Export"), file.toString()); //$NON-NLS-1$
		List<String> run = menu("Run"); //$NON-NLS-1$
		int saveAt = run.indexOf("Save Snapshot"); //$NON-NLS-1$
		assertTrue(saveAt >= 0 && run.indexOf("Import Snapshot...") == saveAt + 1, run.toString()); //$NON-NLS-1$

		// The Snapshots view's toolbar.
		SnapshotsView view = SnapshotsView.showAndReveal(imported == null ? null : imported.path());
		Ui.window().getActivePage().activate(view);
		Ui.spin(300);
		org.eclipse.swt.widgets.ToolBar bar = Ui.find(Ui.window().getShell(), org.eclipse.swt.widgets.ToolBar.class,
				t -> List.of(t.getItems()).stream().anyMatch(i -> String.valueOf(i.getToolTipText()).startsWith("Import Snapshot (ckpt)"))); //$NON-NLS-1$
		assertNotNull(bar, "no Import Snapshot button in a toolbar"); //$NON-NLS-1$

		// Check Portability in the view's context menu.
		org.eclipse.swt.widgets.Menu popup = view.getViewer().getTree().getMenu();
		popup.notifyListeners(SWT.Show, new Event());
		List<String> items = new ArrayList<>();
		for (var item : popup.getItems()) {
			items.add(item.getText().split("\t")[0]); //$NON-NLS-1$
		}
		popup.notifyListeners(SWT.Hide, new Event());
		assertTrue(items.contains("Check Portability"), items.toString()); //$NON-NLS-1$
	}

	@Test
	@Order(6)
	void theImportWizardOfFileImportImportsIntoTheChosenProject() throws Exception {
		org.eclipse.ui.wizards.IWizardDescriptor descriptor = PlatformUI.getWorkbench().getImportWizardRegistry()
				.findWizard(CkptUI.IMPORT_WIZARD_ID);
		assertNotNull(descriptor, "no import wizard " + CkptUI.IMPORT_WIZARD_ID); //$NON-NLS-1$
		assertEquals("Snapshot", descriptor.getLabel()); //$NON-NLS-1$
		assertEquals("ckpt", descriptor.getCategory().getLabel()); //$NON-NLS-1$
		org.eclipse.ui.IWorkbenchWizard wizard = descriptor.createWizard();
		wizard.init(PlatformUI.getWorkbench(), StructuredSelection.EMPTY);
		org.eclipse.jface.wizard.WizardDialog dialog = new org.eclipse.jface.wizard.WizardDialog(Ui.window().getShell(), wizard);
		dialog.setBlockOnOpen(false);
		dialog.open();
		try {
			Shell shell = dialog.getShell();
			Button finish = Ui.find(shell, Button.class, b -> b.getText().equals("&Finish")); //$NON-NLS-1$
			assertFalse(finish.isEnabled(), "Finish is enabled without a statefile"); //$NON-NLS-1$
			ImportSnapshotHandler.chooser = s -> List.of(statefile);
			Ui.find(shell, Button.class, b -> b.getText().equals("&Add...")).notifyListeners(SWT.Selection, new Event()); //$NON-NLS-1$
			org.eclipse.swt.widgets.Combo projects = Ui.find(shell, org.eclipse.swt.widgets.Combo.class, c -> true);
			projects.select(List.of(projects.getItems()).indexOf("elsewhere")); //$NON-NLS-1$
			projects.notifyListeners(SWT.Selection, new Event());
			Label into = Ui.find(shell, Label.class, l -> l.getText().startsWith("They are copied into")); //$NON-NLS-1$
			assertTrue(into.getText().contains(SnapshotStore.directoryFor("elsewhere").toString()), into.getText()); //$NON-NLS-1$
			assertTrue(finish.isEnabled());
			finish.notifyListeners(SWT.Selection, new Event());
		} finally {
			if (dialog.getShell() != null && !dialog.getShell().isDisposed()) {
				dialog.close();
			}
		}
		Ui.waitForJobs(60);
		Path copy = SnapshotStore.directoryFor("elsewhere").resolve("bug.ckpt"); //$NON-NLS-1$
		assertTrue(Files.isRegularFile(copy), copy + " is missing"); //$NON-NLS-1$
		assertEquals(-1, Files.mismatch(statefile, copy));
		PortabilityDialog report = waitForReport();
		assertEquals(copy, report.entries().get(0).statefile().path());
		assertEquals("elsewhere", report.entries().get(0).statefile().project()); //$NON-NLS-1$
	}

	/** The items of a menu of the workbench window's menu bar, as it shows them (accelerators left out). */
	private static List<String> menu(String name) {
		org.eclipse.swt.widgets.Menu bar = Ui.window().getShell().getMenuBar();
		for (var top : bar.getItems()) {
			if (top.getText().replace("&", "").equals(name)) { //$NON-NLS-1$ //$NON-NLS-2$
				org.eclipse.swt.widgets.Menu m = top.getMenu();
				m.notifyListeners(SWT.Show, new Event());
				List<String> items = new ArrayList<>();
				for (var item : m.getItems()) {
					String text = item.getText().replace("&", ""); //$NON-NLS-1$ //$NON-NLS-2$
					int tab = text.indexOf('\t');
					items.add(tab >= 0 ? text.substring(0, tab) : text);
				}
				m.notifyListeners(SWT.Hide, new Event());
				return items;
			}
		}
		throw new AssertionError("no menu " + name); //$NON-NLS-1$
	}

	/** Presses the first button at {@code from}, moves the pointer to {@code to} in steps and lets go, as a hand would. */
	private static void drag(Display display, Point from, Point to) {
		post(display, SWT.MouseMove, from.x, from.y, 0);
		Ui.spin(200);
		post(display, SWT.MouseDown, from.x, from.y, 1);
		Ui.spin(200);
		int steps = 30;
		for (int i = 1; i <= steps; i++) {
			post(display, SWT.MouseMove, from.x + (to.x - from.x) * i / steps, from.y + (to.y - from.y) * i / steps, 0);
			Ui.spin(40);
		}
		post(display, SWT.MouseMove, to.x + 1, to.y, 0);
		Ui.spin(300);
		post(display, SWT.MouseMove, to.x, to.y, 0);
		Ui.spin(300);
		post(display, SWT.MouseUp, to.x, to.y, 1);
		Ui.spin(500);
	}

	private static void post(Display display, int type, int x, int y, int button) {
		Event e = new Event();
		e.type = type;
		e.x = x;
		e.y = y;
		e.button = button;
		assertTrue(display.post(e), "the X server took no " + type + " event"); //$NON-NLS-1$ //$NON-NLS-2$
	}

	// --- helpers

	private static void selectInTheView(Snapshot s) {
		SnapshotsView view = SnapshotsView.showAndReveal(s.path());
		Ui.window().getActivePage().activate(view);
		view.getViewer().setSelection(new StructuredSelection(s));
		Ui.spin(200);
	}

	/** The report dialogs open now. */
	private static List<PortabilityDialog> reports() {
		List<PortabilityDialog> list = new ArrayList<>();
		for (Shell s : Display.getCurrent().getShells()) {
			if (!s.isDisposed() && s.getData() instanceof PortabilityDialog d) {
				list.add(d);
			}
		}
		return list;
	}

	/** Waits for a report dialog that was not there before. */
	private static PortabilityDialog waitForReport() {
		AtomicReference<PortabilityDialog> found = new AtomicReference<>();
		Ui.waitFor("the portability report", 30, () -> { //$NON-NLS-1$
			for (PortabilityDialog d : reports()) {
				if (seen.add(d.getShell())) {
					found.set(d);
				}
			}
			return found.get() != null;
		});
		Ui.spin(200);
		return found.get();
	}

	/**
	 * Acts on the first shell that opens and passes the test, from inside its event loop (it may be
	 * modal), until the action says it is done.
	 */
	private static void whenShellOpens(java.util.function.Predicate<Shell> test, java.util.function.Predicate<Shell> action) {
		Display display = Display.getCurrent();
		long deadline = System.currentTimeMillis() + 30_000;
		Runnable[] look = new Runnable[1];
		look[0] = () -> {
			for (Shell s : display.getShells()) {
				if (!s.isDisposed() && s.isVisible() && test.test(s) && action.test(s)) {
					return;
				}
			}
			if (System.currentTimeMillis() < deadline) {
				display.timerExec(100, look[0]);
			}
		};
		display.timerExec(100, look[0]);
	}

	private static Button button(PortabilityDialog d, String text) {
		Button b = Ui.find(d.getShell(), Button.class, x -> x.getText().equals(text));
		assertNotNull(b, "no button " + text); //$NON-NLS-1$
		return b;
	}

	private static List<String> columns(Table table) {
		List<String> names = new ArrayList<>();
		for (var c : table.getColumns()) {
			names.add(c.getText());
		}
		return names;
	}

	private static List<List<String>> rows(Table table) {
		List<List<String>> rows = new ArrayList<>();
		for (TableItem item : table.getItems()) {
			List<String> row = new ArrayList<>();
			for (int i = 0; i < table.getColumnCount(); i++) {
				row.add(item.getText(i));
			}
			rows.add(row);
		}
		return rows;
	}

	/** The pids whose executable is {@code exe}. */
	private static List<Long> processesOf(Path exe) throws IOException {
		List<Long> pids = new ArrayList<>();
		try (Stream<Path> procs = Files.list(Path.of("/proc"))) { //$NON-NLS-1$
			for (Path p : procs.toList()) {
				if (p.getFileName().toString().chars().allMatch(Character::isDigit)) {
					try {
						if (Files.readSymbolicLink(p.resolve("exe")).equals(exe)) { //$NON-NLS-1$
							pids.add(Long.parseLong(p.getFileName().toString()));
						}
					} catch (IOException | UnsupportedOperationException e) {
						// gone, or not ours to look at
					}
				}
			}
		}
		return pids;
	}

	/** The rows a user sees in order, expanded groups with their children. */
	private static void visibleRows(TreeItem[] items, List<TreeItem> into) {
		for (TreeItem i : items) {
			into.add(i);
			if (i.getExpanded()) {
				visibleRows(i.getItems(), into);
			}
		}
	}
}
