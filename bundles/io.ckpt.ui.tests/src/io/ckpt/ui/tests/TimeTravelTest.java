package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IBreakpointManager;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.ui.AbstractDebugView;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.preference.PreferenceDialog;
import org.eclipse.jface.preference.PreferencePage;
import org.eclipse.jface.text.source.IAnnotationModel;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Text;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.dialogs.PreferencesUtil;
import org.eclipse.ui.editors.text.EditorsUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.ide.IDE;
import org.eclipse.ui.texteditor.ITextEditor;
import org.eclipse.ui.texteditor.MarkerAnnotation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.ckpt.core.Annotation;
import io.ckpt.core.Engine;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.internal.CorePreferences;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.SnapPointBreakpoint;
import io.ckpt.debug.TimeTravel;
import io.ckpt.debug.Timeline;
import io.ckpt.debug.internal.GdbInit;
import io.ckpt.debug.internal.Sessions;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.handlers.PinHandler;
import io.ckpt.ui.internal.handlers.SnapPointHandler;
import io.ckpt.ui.internal.views.SnapshotsView;
import io.ckpt.ui.tests.standin.ApplicationDelegate;
import io.ckpt.ui.tests.standin.StandInGdb;

/**
 * Time travel in a real workbench with real gdb: a C/C++ Application launch with automatic
 * snapshots at every suspend stops at a breakpoint and is stepped in its gdb; each stop's
 * snapshot appears in the Snapshots view's timeline with its origin and stop line; a label set
 * in the view lands in the statefile; Go Back to Snapshot, through its command, puts the program
 * back in place in the same gdb (same launch, same gdb process, same pid) at the saved line; stepping on from
 * there shows a second branch; Previous and Next Snapshot go back and forth; retention deletes
 * the oldest automatic snapshots that are not pinned; a snapshot point toggled in the editor is a
 * breakpoint in the Breakpoints view and the ruler that the session's gdb gets, and loses when it
 * is disabled, skipped or removed; a session started later gets it too.
 */
@TestMethodOrder(OrderAnnotation.class)
class TimeTravelTest {

	private static final String APPLICATION_TYPE = "org.eclipse.cdt.launch.applicationLaunchType"; //$NON-NLS-1$
	private static final String PROJECT = "travel"; //$NON-NLS-1$

	private static IProject project;
	private static int line;
	private static ILaunch session;
	private static IProcess gdb;
	private static Path dir;
	private static final List<Long> programs = new ArrayList<>();

	@BeforeAll
	static void sessionWithAutomaticSnapshots() throws Exception {
		TestPrograms.requireCommand("gdb"); //$NON-NLS-1$
		// No SessionFollower.start() here: the launch's gdb init file starts following it.
		project = ResourcesPlugin.getWorkspace().getRoot().getProject(PROJECT);
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		Path exe = TestPrograms.compileLoop(project.getLocation().toPath());
		line = TestPrograms.breakLine();
		dir = project.getLocation().toPath().resolve(".snapshots"); //$NON-NLS-1$
		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, Ui.window());

		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(APPLICATION_TYPE);
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null, manager.generateLaunchConfigurationName("travel")); //$NON-NLS-1$
		wc.setAttribute("org.eclipse.cdt.launch.PROJECT_ATTR", PROJECT); //$NON-NLS-1$
		wc.setAttribute("org.eclipse.cdt.launch.PROGRAM_NAME", exe.toString()); //$NON-NLS-1$
		wc.setAttribute(ApplicationDelegate.ATTR_BREAK, "loop.c:" + line); //$NON-NLS-1$
		wc.setAttribute(ApplicationDelegate.ATTR_ARGS, "1"); // one more thread //$NON-NLS-1$
		GdbInit.enable(wc, true);
		wc.setAttribute(CkptDebug.ATTR_AUTO_SNAPSHOTS, CorePreferences.AUTO_AT_SUSPENDS); // the Snapshots tab's choice
		session = launch(wc.doSave());
		gdb = Sessions.gdbProcess(session);
	}

	/** Launches the configuration and waits for its program to stop at the breakpoint. */
	private static ILaunch launch(ILaunchConfiguration config) throws Exception {
		ILaunch launch = config.launch(ILaunchManager.DEBUG_MODE, null);
		Ui.waitFor("gdb to stop at loop.c:" + line, 60, () -> ApplicationDelegate.atBreakpoint(launch)); //$NON-NLS-1$
		Sessions.inferiors(launch).forEach(programs::add);
		return launch;
	}

	@AfterAll
	static void cleanUp() {
		CorePreferences.node().remove(CorePreferences.KEEP_SNAPSHOTS);
		try {
			session.terminate();
		} catch (Exception e) {
			// going anyway
		}
		programs.forEach(TestPrograms::kill);
	}

	/** Types a command into the session's gdb and waits for its output to contain {@code expect}. */
	private static String gdbCommand(String command, String expect) {
		int before = StandInGdb.output(gdb).length();
		String marker = "==done " + System.nanoTime() + "=="; //$NON-NLS-1$ //$NON-NLS-2$
		try {
			gdb.getStreamsProxy().write(command + "\necho " + marker + "\\n\n"); //$NON-NLS-1$ //$NON-NLS-2$
		} catch (java.io.IOException e) {
			throw new AssertionError(e);
		}
		Supplier<String> since = () -> StandInGdb.output(gdb).substring(before);
		Ui.waitFor("gdb to answer " + command, 60, () -> since.get().contains(marker), since); //$NON-NLS-1$
		String out = since.get();
		assertTrue(out.contains(expect), command + " gave: " + out); //$NON-NLS-1$
		return out;
	}

	private static Timeline waitForEntries(int n) {
		Ui.waitFor(n + " snapshots in the session's timeline", 60, () -> TimeTravel.timeline(session).entries().size() >= n //$NON-NLS-1$
				&& TimeTravel.timeline(session).entries().stream().allMatch(e -> !Files.exists(e.path())
						|| SnapshotStore.getDefault().find(e.path()).map(x -> x.origin() != null).orElse(false)),
				() -> TimeTravel.timeline(session).toString());
		return TimeTravel.timeline(session);
	}

	private static SnapshotsView view() throws Exception {
		IWorkbenchPage page = Ui.window().getActivePage();
		SnapshotsView view = (SnapshotsView) page.showView(CkptUI.SNAPSHOTS_VIEW_ID);
		page.activate(view);
		return view;
	}

	private static TreeItem row(SnapshotsView view, Path path) {
		Snapshot s = SnapshotStore.getDefault().find(path).orElse(null);
		return s == null ? null : SaveRestartTest.row(view, s);
	}

	/** The row's text in a column once the view has it (its contents are read in the background). */
	private static String cell(SnapshotsView view, Path path, int column, String expected) {
		Ui.waitFor(path.getFileName() + " shows '" + expected + "' in column " + column, 30, () -> { //$NON-NLS-1$ //$NON-NLS-2$
			view.getViewer().refresh(true);
			TreeItem r = row(view, path);
			return r != null && r.getText(column).equals(expected);
		}, () -> {
			TreeItem r = row(view, path);
			return r == null ? "no row" : r.getText(column); //$NON-NLS-1$
		});
		return expected;
	}

	private static void runCommand(String id) throws Exception {
		PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(id, null);
	}

	@Test
	@Order(1)
	void automaticSnapshotsAppearInTheTimelineAsTheTestSteps() throws Exception {
		// The first stop, at the breakpoint, was saved by gdb on its own (the init file turned it on).
		Timeline t = waitForEntries(1);
		assertEquals("breakpoint", t.entries().get(0).origin(), t.toString()); //$NON-NLS-1$
		gdbCommand("next", ""); //$NON-NLS-1$ //$NON-NLS-2$
		waitForEntries(2);
		gdbCommand("next", ""); //$NON-NLS-1$ //$NON-NLS-2$
		t = waitForEntries(3);
		List<Timeline.Entry> es = t.entries();
		assertEquals(List.of("breakpoint", "step", "step"), es.stream().map(Timeline.Entry::origin).toList()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		assertEquals(List.of(0, 1, 2), es.stream().map(Timeline.Entry::parent).toList());
		for (Timeline.Entry e : es) {
			assertTrue(e.path().startsWith(dir), e.path() + " is not in " + dir); //$NON-NLS-1$
			Snapshot s = SnapshotStore.getDefault().find(e.path()).orElseThrow();
			assertNotNull(s.origin(), "no session recorded for " + e.path()); //$NON-NLS-1$
			assertEquals(Sessions.origin(session).session(), s.origin().session());
			assertEquals(e.origin(), Engine.inspect(e.path()).annotation().origin());
		}
		int stepLine = Engine.inspect(es.get(1).path()).stop().line();
		assertEquals(line, Engine.inspect(es.get(0).path()).stop().line());
		assertTrue(stepLine > line, "the step stopped at line " + stepLine); //$NON-NLS-1$

		SnapshotsView view = view();
		cell(view, es.get(0).path(), 2, "work (loop.c:" + line + ")"); //$NON-NLS-1$ //$NON-NLS-2$
		cell(view, es.get(1).path(), 2, "work (loop.c:" + stepLine + ")"); //$NON-NLS-1$ //$NON-NLS-2$
		cell(view, es.get(0).path(), SnapshotsView.ORIGIN_COLUMN, "breakpoint"); //$NON-NLS-1$
		cell(view, es.get(2).path(), SnapshotsView.ORIGIN_COLUMN, "step"); //$NON-NLS-1$
		cell(view, es.get(1).path(), SnapshotsView.TIMELINE_COLUMN, "#2 after #1, branch 1"); //$NON-NLS-1$
		cell(view, es.get(2).path(), SnapshotsView.TIMELINE_COLUMN, "\u25b6 #3 after #2, branch 1"); //$NON-NLS-1$
	}

	@Test
	@Order(2)
	void aLabelSetInTheViewIsKeptInTheStatefile() throws Exception {
		Path first = TimeTravel.timeline(session).entries().get(0).path();
		SnapshotsView.setLabel(SnapshotStore.getDefault().find(first).orElseThrow(), "before the loop", "x is 42 here"); //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitForJobs(60);
		Annotation a = Engine.inspect(first).annotation();
		assertEquals("before the loop", a.label()); //$NON-NLS-1$
		assertEquals("x is 42 here", a.note()); //$NON-NLS-1$
		Ui.waitFor("gdb's timeline to have the label", 10, () -> "before the loop".equals(TimeTravel.timeline(session).entries().get(0).label())); //$NON-NLS-1$ //$NON-NLS-2$
		cell(view(), first, SnapshotsView.LABEL_COLUMN, "before the loop"); //$NON-NLS-1$
	}

	@Test
	@Order(3)
	void goBackLandsAtTheSavedLineInTheSameSession() throws Exception {
		Timeline.Entry second = TimeTravel.timeline(session).entries().get(1);
		int savedLine = Engine.inspect(second.path()).stop().line();
		long gdbPid = Sessions.pid(gdb);
		int launches = DebugPlugin.getDefault().getLaunchManager().getLaunches().length;
		List<Long> before = Sessions.inferiors(session);
		SnapshotsView view = view();
		Snapshot s = SnapshotStore.getDefault().find(second.path()).orElseThrow();
		Ui.waitFor("the snapshot selected in the Snapshots view", 20, () -> { //$NON-NLS-1$
			view.getViewer().setSelection(new StructuredSelection(s), true);
			return view.getViewer().getStructuredSelection().size() == 1;
		});
		Ui.window().getActivePage().activate(view);
		runCommand(CkptUI.GO_BACK_COMMAND);
		Ui.waitForJobs(120);

		Timeline t = TimeTravel.refresh(session, null);
		assertEquals(2, t.current(), t.toString());
		assertTrue(t.atCurrent(), t.toString());
		assertFalse(session.isTerminated());
		assertSame(gdb, Sessions.gdbProcess(session), "the session has another gdb"); //$NON-NLS-1$
		assertEquals(gdbPid, Sessions.pid(Sessions.gdbProcess(session)));
		assertEquals(launches, DebugPlugin.getDefault().getLaunchManager().getLaunches().length, "a new launch was made"); //$NON-NLS-1$
		String bt = gdbCommand("bt 1", "loop.c:" + savedLine + "\n"); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(bt.contains("#0  work (seed=6, rounds=1000000) at "), bt); //$NON-NLS-1$
		// Saved from this very process, which is stopped: it was put back in place.
		assertEquals(before, Sessions.inferiors(session), "the program was restarted, not put back in place"); //$NON-NLS-1$
		Sessions.inferiors(session).forEach(programs::add);
		cell(view, second.path(), SnapshotsView.TIMELINE_COLUMN, "\u25b6 #2 after #1, branch 1"); //$NON-NLS-1$

		// Stepping on from there is a new branch after #2.
		gdbCommand("next", ""); //$NON-NLS-1$ //$NON-NLS-2$
		t = waitForEntries(4);
		Timeline.Entry fourth = t.entries().get(3);
		assertEquals(2, fourth.parent(), t.toString());
		assertEquals(2, fourth.branch(), t.toString());
		cell(view, fourth.path(), SnapshotsView.TIMELINE_COLUMN, "\u25b6 #4 after #2, branch 2"); //$NON-NLS-1$
		view.getViewer().expandAll();
		Ui.screenshotMaximized(view, "timeline.png"); //$NON-NLS-1$
	}

	@Test
	@Order(4)
	void previousAndNextSnapshotGoBackAndForth() throws Exception {
		IWorkbenchPage page = Ui.window().getActivePage();
		page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
		runCommand(CkptUI.PREVIOUS_SNAPSHOT_COMMAND);
		Ui.waitForJobs(120);
		Timeline t = TimeTravel.refresh(session, null);
		assertEquals(2, t.current(), "back from #4 (where the program is) goes to #2: " + t); //$NON-NLS-1$
		runCommand(CkptUI.NEXT_SNAPSHOT_COMMAND);
		Ui.waitForJobs(120);
		t = TimeTravel.refresh(session, null);
		assertEquals(4, t.current(), "forward from #2 comes back to #4: " + t); //$NON-NLS-1$
		Sessions.inferiors(session).forEach(programs::add);
	}

	@Test
	@Order(5)
	void retentionDeletesTheOldestUnpinned() throws Exception {
		List<Timeline.Entry> es = TimeTravel.timeline(session).entries();
		Path first = es.get(0).path();
		PinHandler.toggle(List.of(SnapshotStore.getDefault().find(first).orElseThrow()));
		assertTrue(SnapshotStore.getDefault().isPinned(SnapshotStore.getDefault().find(first).orElseThrow()));
		cell(view(), first, SnapshotsView.ORIGIN_COLUMN, "breakpoint, pinned"); //$NON-NLS-1$
		CorePreferences.node().putInt(CorePreferences.KEEP_SNAPSHOTS, 3);
		gdbCommand("next", ""); //$NON-NLS-1$ //$NON-NLS-2$
		Timeline t = waitForEntries(5);
		// Five automatic snapshots, three kept: #1 (pinned) and the two newest; #2 and #3 went.
		Ui.waitFor("retention to delete #2 and #3", 30, () -> !Files.exists(es.get(1).path()) && !Files.exists(es.get(2).path())); //$NON-NLS-1$
		assertTrue(Files.exists(first), "the pinned snapshot was deleted"); //$NON-NLS-1$
		assertTrue(Files.exists(t.entries().get(3).path()) && Files.exists(t.entries().get(4).path()), "a newest snapshot was deleted"); //$NON-NLS-1$
		Ui.waitFor("the view to drop them", 20, () -> SnapshotStore.getDefault().find(es.get(1).path()).isEmpty()); //$NON-NLS-1$
	}

	@Test
	@Order(6)
	void aSnapshotPointIsABreakpointThatSavesAndGoesOn() throws Exception {
		IBreakpointManager manager = DebugPlugin.getDefault().getBreakpointManager();
		IFile file = loopSource();
		Path source = file.getLocation().toPath();
		int at = line + 1;
		SnapPointHandler.toggle(file, source, at).join();
		List<SnapPointBreakpoint> made = SnapPointBreakpoint.all();
		assertEquals(1, made.size(), made.toString());
		SnapPointBreakpoint bp = made.get(0);
		assertEquals(file, bp.getMarker().getResource());
		assertEquals(at, bp.getLineNumber());
		assertEquals(source, bp.source());
		assertTrue(bp.getMarker().isSubtypeOf(IBreakpoint.LINE_BREAKPOINT_MARKER));
		assertTrue(manager.isRegistered(bp));
		assertEquals(List.of(bp), Arrays.stream(manager.getBreakpoints()).filter(SnapPointBreakpoint.class::isInstance).toList());
		breakpointsViewShows(bp, "loop.c [line: " + at + "] - save a snapshot and continue"); //$NON-NLS-1$ //$NON-NLS-2$
		rulerShows(file, bp);

		// The session's gdb got it: a hit saves and goes on.
		waitForSnapPoints(session, List.of("loop.c:" + at)); //$NON-NLS-1$
		int before = TimeTravel.timeline(session).entries().size();
		gdbCommand("continue", "Breakpoint 1, "); // to the breakpoint, a line before the snapshot point //$NON-NLS-1$ //$NON-NLS-2$
		gdbCommand("continue", "Breakpoint 1, "); // past the snapshot point, which saves, to the breakpoint again //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitFor("a snappoint snapshot in the timeline", 60, () -> TimeTravel.timeline(session).entries().stream() //$NON-NLS-1$
				.skip(before).anyMatch(e -> "snappoint".equals(e.origin())), () -> TimeTravel.timeline(session).toString()); //$NON-NLS-1$
		Timeline.Entry saved = TimeTravel.timeline(session).entries().stream().skip(before)
				.filter(e -> "snappoint".equals(e.origin())).findFirst().orElseThrow(); //$NON-NLS-1$
		assertEquals(at, Engine.inspect(saved.path()).stop().line());
		assertEquals(1, TimeTravel.snapPoints(session, null).get(0).hits());
		waitForEntries(saved.num());
		cell(view(), saved.path(), SnapshotsView.ORIGIN_COLUMN, "snappoint"); //$NON-NLS-1$

		// Disabled, or all breakpoints skipped: not in gdb; enabled again: back, with its condition.
		bp.setEnabled(false);
		waitForSnapPoints(session, List.of());
		breakpointProperties(bp, "i > 2", true); //$NON-NLS-1$
		assertEquals("i > 2", bp.condition()); //$NON-NLS-1$
		waitForSnapPoints(session, List.of("loop.c:" + at + " if i > 2")); //$NON-NLS-1$ //$NON-NLS-2$
		breakpointsViewShows(bp, "loop.c [line: " + at + "] - save a snapshot and continue if i > 2"); //$NON-NLS-1$ //$NON-NLS-2$
		try {
			manager.setEnabled(false);
			waitForSnapPoints(session, List.of());
		} finally {
			manager.setEnabled(true);
		}
		waitForSnapPoints(session, List.of("loop.c:" + at + " if i > 2")); //$NON-NLS-1$ //$NON-NLS-2$

		// Removed from the manager, as the Breakpoints view's Remove does: deleted in gdb.
		manager.removeBreakpoint(bp, true);
		assertFalse(bp.getMarker().exists());
		waitForSnapPoints(session, List.of());

		// Toggling makes one and toggling again removes it, here and in gdb.
		SnapPointHandler.toggle(file, source, at).join();
		assertEquals(1, SnapPointBreakpoint.at(source, at).size());
		waitForSnapPoints(session, List.of("loop.c:" + at)); //$NON-NLS-1$
		SnapPointHandler.toggle(file, source, at).join();
		assertTrue(SnapPointBreakpoint.all().isEmpty(), "toggling again did not remove it"); //$NON-NLS-1$
		waitForSnapPoints(session, List.of());
	}

	@Test
	@Order(7)
	void aSnapshotPointMadeBeforeASessionIsInstalledWhenItStarts() throws Exception {
		IFile file = loopSource();
		int at = line + 2;
		SnapPointHandler.toggle(file, file.getLocation().toPath(), at).join();
		SnapPointBreakpoint bp = SnapPointBreakpoint.all().get(0);
		bp.setCondition("total > 0"); //$NON-NLS-1$
		waitForSnapPoints(session, List.of("loop.c:" + at + " if total > 0")); //$NON-NLS-1$ //$NON-NLS-2$
		ILaunch second = launch(session.getLaunchConfiguration());
		try {
			waitForSnapPoints(second, List.of("loop.c:" + at + " if total > 0")); //$NON-NLS-1$ //$NON-NLS-2$
		} finally {
			DebugPlugin.getDefault().getBreakpointManager().removeBreakpoint(bp, true);
			waitForSnapPoints(second, List.of());
			waitForSnapPoints(session, List.of());
			second.terminate();
		}
	}

	private static IFile loopSource() throws Exception {
		project.refreshLocal(IResource.DEPTH_INFINITE, null);
		IFile file = project.getFile("loop.c"); //$NON-NLS-1$
		assertTrue(file.exists());
		return file;
	}

	/** Waits for the session's gdb to have exactly these snapshot points (LOCATION [if CONDITION]). */
	private static void waitForSnapPoints(ILaunch launch, List<String> expected) {
		Supplier<List<String>> inGdb = () -> {
			try {
				return TimeTravel.snapPoints(launch, null).stream()
						.map(p -> p.condition() == null ? p.location() : p.location() + " if " + p.condition()).toList(); //$NON-NLS-1$
			} catch (CoreException e) {
				return List.of(e.getMessage());
			}
		};
		Ui.waitFor("gdb's snapshot points to be " + expected, 60, () -> inGdb.get().equals(expected), //$NON-NLS-1$
				() -> inGdb.get().toString());
	}

	/** The Breakpoints view has a row for the breakpoint with this label. */
	private static void breakpointsViewShows(IBreakpoint bp, String label) throws Exception {
		IWorkbenchPage page = Ui.window().getActivePage();
		AbstractDebugView view = (AbstractDebugView) page.showView(IDebugUIConstants.ID_BREAKPOINT_VIEW);
		Tree tree = (Tree) view.getViewer().getControl();
		Supplier<List<String>> rows = () -> {
			List<String> found = new ArrayList<>();
			collectRows(tree.getItems(), bp, found);
			return found;
		};
		try {
			Ui.waitFor("the Breakpoints view to show " + label, 30, () -> rows.get().contains(label), //$NON-NLS-1$
					() -> rows.get() + " among " + tree.getItemCount() + " rows"); //$NON-NLS-1$ //$NON-NLS-2$
		} finally {
			page.hideView(view);
		}
	}

	private static void collectRows(TreeItem[] items, Object data, List<String> found) {
		for (TreeItem item : items) {
			if (data.equals(item.getData())) {
				found.add(item.getText());
			}
			item.setExpanded(true);
			collectRows(item.getItems(), data, found);
		}
	}

	/** Sets the condition and enabled state in the breakpoint's Breakpoint Properties, and presses OK. */
	private static void breakpointProperties(IBreakpoint bp, String condition, boolean enabled) {
		PreferenceDialog dialog = PreferencesUtil.createPropertyDialogOn(Ui.window().getShell(), bp,
				"io.ckpt.ui.propertyPages.snapPoint", null, null); //$NON-NLS-1$
		assertNotNull(dialog, "no Breakpoint Properties for a snapshot point"); //$NON-NLS-1$
		dialog.setBlockOnOpen(false);
		dialog.open();
		Control page = ((PreferencePage) dialog.getSelectedPage()).getControl();
		Ui.find(page, Text.class, t -> true).setText(condition);
		Button check = Ui.find(page, Button.class, b -> (b.getStyle() & SWT.CHECK) != 0);
		check.setSelection(enabled);
		Button ok = Ui.find(dialog.getShell(), Button.class, b -> Integer.valueOf(IDialogConstants.OK_ID).equals(b.getData()));
		ok.notifyListeners(SWT.Selection, new Event());
		assertTrue(dialog.getShell() == null || dialog.getShell().isDisposed(), "the dialog is still open"); //$NON-NLS-1$
	}

	/** A text editor on the file has the breakpoint's marker as a breakpoint annotation in its ruler. */
	private static void rulerShows(IFile file, IBreakpoint bp) throws Exception {
		ITextEditor editor = (ITextEditor) IDE.openEditor(Ui.window().getActivePage(), file, EditorsUI.DEFAULT_TEXT_EDITOR_ID);
		try {
			IAnnotationModel model = editor.getDocumentProvider().getAnnotationModel(editor.getEditorInput());
			Supplier<List<String>> types = () -> {
				List<String> found = new ArrayList<>();
				model.getAnnotationIterator().forEachRemaining(a -> {
					if (a instanceof MarkerAnnotation m && m.getMarker().equals(bp.getMarker())) {
						found.add(a.getType());
					}
				});
				return found;
			};
			Ui.waitFor("the editor's ruler to mark the snapshot point", 30, //$NON-NLS-1$
					() -> types.get().equals(List.of("org.eclipse.debug.core.breakpoint")), () -> types.get().toString()); //$NON-NLS-1$
		} finally {
			editor.close(false);
		}
	}
}
