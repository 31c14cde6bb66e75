package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.core.commands.Command;
import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.core.model.IProcess;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.debug.ui.IDebugView;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.swt.widgets.TreeItem;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.Snapshots;
import io.ckpt.debug.internal.GdbControl;
import io.ckpt.debug.internal.GdbInit;
import io.ckpt.debug.internal.Sessions;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.editor.StatefileEditor;
import io.ckpt.ui.internal.views.SnapshotsView;
import io.ckpt.ui.tests.standin.ApplicationDelegate;
import io.ckpt.ui.tests.standin.AttachDelegate;
import io.ckpt.ui.tests.standin.PostmortemDelegate;

/**
 * The whole path with real parts, in a real workbench: a C program runs under real gdb with
 * ckpt's extension loaded (through the launch's GDB_INIT, as CDT would source it) and stops at
 * a breakpoint; Save Snapshot runs through its command on the launch selected in the Debug view;
 * the statefile shows up in the Snapshots view with its stop location; Restart from Snapshot runs
 * through its command and launches a CDT Attach configuration, which the test's stand-in for CDT
 * attaches with real gdb. Then the restarted program is continued, saved again, opened as a core
 * file and shown in the statefile viewer.
 */
@TestMethodOrder(OrderAnnotation.class)
class SaveRestartTest {

	private static final String APPLICATION_TYPE = "org.eclipse.cdt.launch.applicationLaunchType"; //$NON-NLS-1$
	private static final String PROJECT = "demo"; //$NON-NLS-1$

	private static IProject project;
	private static Path exe;
	private static int line;
	private static ILaunch session;
	private static Snapshot saved;
	private static AttachDelegate.Attached attached;
	private static final List<Long> programs = new ArrayList<>();

	@BeforeAll
	static void projectAndProgram() throws Exception {
		TestPrograms.requireCommand("gdb"); //$NON-NLS-1$
		project = ResourcesPlugin.getWorkspace().getRoot().getProject(PROJECT);
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		exe = TestPrograms.compileLoop(project.getLocation().toPath());
		line = TestPrograms.breakLine();
		IWorkbenchWindow window = Ui.window();
		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, window);
	}

	@AfterAll
	static void cleanUp() {
		Ui.terminateLaunches();
		programs.forEach(TestPrograms::kill);
	}

	static ILaunch debugUnderGdb(String name, boolean withCkpt) throws CoreException {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(APPLICATION_TYPE);
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null, manager.generateLaunchConfigurationName(name));
		wc.setAttribute("org.eclipse.cdt.launch.PROJECT_ATTR", PROJECT); //$NON-NLS-1$
		wc.setAttribute("org.eclipse.cdt.launch.PROGRAM_NAME", exe.toString()); //$NON-NLS-1$
		wc.setAttribute(ApplicationDelegate.ATTR_BREAK, "loop.c:" + line); //$NON-NLS-1$
		wc.setAttribute(ApplicationDelegate.ATTR_ARGS, "1"); // one more thread //$NON-NLS-1$
		if (withCkpt) {
			GdbInit.enable(wc, true); // what the Snapshots tab does
		}
		ILaunchConfiguration config = wc.doSave();
		ILaunch launch = config.launch(ILaunchManager.DEBUG_MODE, null);
		Ui.waitFor("gdb to stop " + name + " at loop.c:" + line, 60, () -> ApplicationDelegate.atBreakpoint(launch)); //$NON-NLS-1$ //$NON-NLS-2$
		Sessions.inferiors(launch).forEach(programs::add);
		return launch;
	}

	static long gdbPid(ILaunch launch) {
		return Sessions.pid(Sessions.gdbProcess(launch));
	}

	/** Selects a launch in the Debug view and runs Save Snapshot through its command. */
	static void saveThroughTheCommand(ILaunch launch) throws Exception {
		IWorkbenchWindow window = Ui.window();
		IWorkbenchPage page = window.getActivePage();
		IDebugView debugView = (IDebugView) page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
		Viewer viewer = debugView.getViewer();
		Ui.waitFor("the Debug view to show the launch", 20, () -> { //$NON-NLS-1$
			viewer.setSelection(new StructuredSelection(launch));
			Ui.spin(100);
			return viewer.getSelection() instanceof StructuredSelection s && s.getFirstElement() == launch;
		});
		page.activate(debugView);
		Ui.spin(300);
		// plugin.xml enables it for a suspended C/C++ session; executing a disabled command would throw.
		Ui.waitFor("Save Snapshot to be enabled", 20, () -> saveCommand().isEnabled()); //$NON-NLS-1$
		window.getService(IHandlerService.class).executeCommand(CkptUI.SAVE_SNAPSHOT_COMMAND, null);
		Ui.waitForJobs(180);
	}

	static Command saveCommand() {
		return Ui.window().getService(ICommandService.class).getCommand(CkptUI.SAVE_SNAPSHOT_COMMAND);
	}

	static String output(IProcess process) {
		return process instanceof io.ckpt.debug.internal.ProgramProcess ? process.getStreamsProxy().getOutputStreamMonitor().getContents()
				: io.ckpt.ui.tests.standin.StandInGdb.output(process);
	}

	@Test
	@Order(1)
	void saveSnapshotAtABreakpointThroughTheCommand() throws Exception {
		session = debugUnderGdb("loop", true); //$NON-NLS-1$
		Ui.waitFor("the ckpt control socket of gdb", 30, () -> GdbControl.find(gdbPid(session)) != null); //$NON-NLS-1$

		saveThroughTheCommand(session);

		Path dir = project.getLocation().toPath().resolve(".snapshots"); //$NON-NLS-1$
		List<Snapshot> mine = SnapshotStore.getDefault().snapshots().stream().filter(s -> s.path().startsWith(dir)).toList();
		assertEquals(1, mine.size(), "statefiles in " + dir + ": " + mine); //$NON-NLS-1$ //$NON-NLS-2$
		saved = mine.get(0);
		assertTrue(saved.name().startsWith("loop-"), saved.name()); //$NON-NLS-1$
		assertEquals(PROJECT, saved.project());
		assertNotNull(saved.origin(), "no session recorded"); //$NON-NLS-1$
		assertTrue(saved.origin().session().startsWith("loop"), saved.origin().session()); //$NON-NLS-1$

		Statefile contents = SnapshotStore.getDefault().metadata(saved);
		assertEquals("work", contents.stop().function()); //$NON-NLS-1$
		assertEquals(line, contents.stop().line());
		assertTrue(contents.fromDebugger());
		assertEquals(2, contents.threads());

		// The Snapshots view shows it, under its session, with the stop location.
		SnapshotsView view = (SnapshotsView) Ui.window().getActivePage().findView(CkptUI.SNAPSHOTS_VIEW_ID);
		assertNotNull(view, "Save Snapshot did not open the Snapshots view"); //$NON-NLS-1$
		String expectedStop = "work (loop.c:" + line + ")"; //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitFor("the statefile's row in the Snapshots view", 20, () -> { //$NON-NLS-1$
			TreeItem row = row(view, saved);
			return row != null && expectedStop.equals(row.getText(2));
		});
		TreeItem row = row(view, saved);
		assertEquals(saved.name(), row.getText(0));
		assertEquals("loop", row.getText(1)); //$NON-NLS-1$
		assertEquals("2", row.getText(3)); //$NON-NLS-1$
		assertFalse(row.getText(4).isEmpty());
		assertEquals(saved.origin().session() + "  (1 snapshot)", row.getParentItem().getText(0)); //$NON-NLS-1$
		assertEquals(saved, view.getViewer().getStructuredSelection().getFirstElement(), "the new statefile is not selected"); //$NON-NLS-1$
		Ui.window().getActivePage().activate(view);
		Ui.screenshot(Ui.window().getShell(), "debug-perspective.png"); //$NON-NLS-1$
	}

	static TreeItem row(SnapshotsView view, Snapshot s) {
		for (TreeItem group : view.getViewer().getTree().getItems()) {
			for (TreeItem item : group.getItems()) {
				if (s.equals(item.getData())) {
					return item;
				}
			}
		}
		return null;
	}

	@Test
	@Order(2)
	void restartFromSnapshotLaunchesACdtAttachConfiguration() throws Exception {
		assertNotNull(saved, "needs the statefile of the first test"); //$NON-NLS-1$
		SnapshotsView view = SnapshotsView.showAndReveal(saved.path());
		Ui.window().getActivePage().activate(view);
		view.getViewer().setSelection(new StructuredSelection(saved));
		Ui.spin(200);
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.RESTART_COMMAND, null);
		Ui.waitForJobs(180);
		Ui.waitFor("CDT's attach launch", 60, () -> !AttachDelegate.LAUNCHED.isEmpty()); //$NON-NLS-1$
		attached = AttachDelegate.LAUNCHED.get(0);

		// The restart launch holds the restarted program; its pid is the one given to CDT.
		ILaunch restart = null;
		for (ILaunch l : DebugPlugin.getDefault().getLaunchManager().getLaunches()) {
			if (l.getLaunchConfiguration() != null
					&& CkptDebug.RESTART_LAUNCH_TYPE.equals(l.getLaunchConfiguration().getType().getIdentifier())) {
				restart = l;
			}
		}
		assertNotNull(restart, "no Restart from Snapshot launch"); //$NON-NLS-1$
		IProcess program = restart.getProcesses()[0];
		int pid = Integer.parseInt(program.getAttribute(IProcess.ATTR_PROCESS_ID));
		programs.add((long) pid);

		Map<String, Object> expected = new TreeMap<>();
		expected.put("org.eclipse.cdt.launch.PROJECT_ATTR", PROJECT); //$NON-NLS-1$
		expected.put("org.eclipse.cdt.launch.PROGRAM_NAME", exe.toString()); //$NON-NLS-1$
		expected.put("org.eclipse.cdt.launch.ATTACH_PROCESS_ID", pid); //$NON-NLS-1$
		expected.put("org.eclipse.cdt.launch.DEBUGGER_START_MODE", "attach"); //$NON-NLS-1$ //$NON-NLS-2$
		expected.put("org.eclipse.cdt.dsf.gdb.GDB_INIT", "${ckpt_gdbinit:.gdbinit}"); //$NON-NLS-1$ //$NON-NLS-2$
		expected.put(CkptDebug.ATTR_USER_GDB_INIT, ".gdbinit"); //$NON-NLS-1$
		expected.put(CkptDebug.ATTR_ENABLED, true);
		expected.put(CkptDebug.ATTR_RESTARTED_FROM, saved.path().toString());
		assertEquals(expected, new TreeMap<>(attached.attributes()));

		// Real gdb attached to that pid shows the saved function and line.
		Ui.waitFor("bt in the attached gdb", 60, () -> output(attached.gdb()).contains("==end bt=="), //$NON-NLS-1$ //$NON-NLS-2$
				() -> "gdb said:\n" + output(attached.gdb())); //$NON-NLS-1$
		String out = output(attached.gdb());
		String bt = out.substring(out.indexOf("==bt=="), out.indexOf("==end bt==")); //$NON-NLS-1$ //$NON-NLS-2$
		System.out.println("bt after Restart from Snapshot:\n" + bt); //$NON-NLS-1$
		assertTrue(bt.contains("#0  work (seed=6, rounds=1000000) at "), bt); //$NON-NLS-1$
		assertTrue(bt.contains("/loop.c:" + line + "\n"), bt); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(bt.contains(" main ("), bt); //$NON-NLS-1$
	}

	@Test
	@Order(3)
	void theRestartedProgramRunsOnWithoutAStrayStopAndItsOutputReachesTheConsole() throws Exception {
		assertNotNull(attached, "needs the attach of the previous test"); //$NON-NLS-1$
		IProcess gdb = attached.gdb();
		gdb.getStreamsProxy().write("break loop.c:" + line + "\ncontinue\necho ==continued==\\n\n"); //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitFor("the restarted program to reach the breakpoint again", 60, () -> output(gdb).contains("==continued=="), //$NON-NLS-1$ //$NON-NLS-2$
				() -> "gdb said:\n" + output(gdb)); //$NON-NLS-1$
		String out = output(gdb);
		String after = out.substring(out.indexOf("==end bt==")); //$NON-NLS-1$
		assertFalse(after.contains("SIGSTOP"), "gdb reported a stray SIGSTOP after attaching:\n" + after); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(after.contains("Breakpoint 1, work (seed=6, rounds=1000000) at "), after); //$NON-NLS-1$

		// It printed its next round to what was its pipe to gdb: now the restart's console.
		ILaunch restart = findRestartLaunch();
		IProcess program = restart.getProcesses()[0];
		Ui.waitFor("the restarted program's output", 20, () -> output(program).contains("round 0 total 42")); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	@Order(4)
	void theRestartedSessionCanSnapshotAgain() throws Exception {
		assertNotNull(attached);
		ILaunch launch = attached.launch();
		Ui.waitFor("the attached program to be stopped", 30, () -> Snapshots.canSave(launch)); //$NON-NLS-1$
		saveThroughTheCommand(launch);
		Snapshot second = SnapshotStore.getDefault().snapshots().stream()
				.filter(s -> s.origin() != null && s.origin().launchConfiguration().equals(launch.getLaunchConfiguration().getName()))
				.findFirst().orElseThrow(() -> new AssertionError("no statefile from the attached session")); //$NON-NLS-1$
		Statefile contents = SnapshotStore.getDefault().metadata(second);
		assertEquals("work", contents.stop().function()); //$NON-NLS-1$
		assertEquals(line, contents.stop().line());
		assertTrue(Files.isRegularFile(second.path()));

		// Two sessions, each with its statefile: the picture for the README, view maximized.
		SnapshotsView view = SnapshotsView.showAndReveal(second.path());
		IWorkbenchPage page = Ui.window().getActivePage();
		page.activate(view);
		Ui.waitFor("both rows filled in", 20, () -> row(view, second) != null && !row(view, second).getText(2).contains("\u2026")); //$NON-NLS-1$ //$NON-NLS-2$
		page.setPartState(page.getReference(view), IWorkbenchPage.STATE_MAXIMIZED);
		view.getViewer().expandAll();
		Ui.screenshot(Ui.window().getShell(), "snapshots-view.png"); //$NON-NLS-1$
		page.setPartState(page.getReference(view), IWorkbenchPage.STATE_RESTORED);
	}

	@Test
	@Order(5)
	void openAsCoreLaunchesACdtPostmortemConfiguration() throws Exception {
		assertNotNull(saved);
		SnapshotsView view = SnapshotsView.showAndReveal(saved.path());
		Ui.window().getActivePage().activate(view);
		view.getViewer().setSelection(new StructuredSelection(saved));
		Ui.spin(200);
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.OPEN_AS_CORE_COMMAND, null);
		Ui.waitForJobs(60);
		Ui.waitFor("CDT's post-mortem launch", 30, () -> !PostmortemDelegate.LAUNCHED.isEmpty()); //$NON-NLS-1$
		PostmortemDelegate.Opened opened = PostmortemDelegate.LAUNCHED.get(0);
		Map<String, Object> a = opened.attributes();
		assertEquals(saved.path().toString(), a.get("org.eclipse.cdt.launch.COREFILE_PATH")); //$NON-NLS-1$
		assertEquals("core", a.get("org.eclipse.cdt.launch.DEBUGGER_START_MODE")); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(exe.toString(), a.get("org.eclipse.cdt.launch.PROGRAM_NAME")); //$NON-NLS-1$
		assertEquals(PROJECT, a.get("org.eclipse.cdt.launch.PROJECT_ATTR")); //$NON-NLS-1$
		assertEquals("CORE_FILE", a.get("org.eclipse.cdt.dsf.gdb.POST_MORTEM_TYPE")); //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitFor("bt of the core", 60, () -> output(opened.gdb()).contains("==end bt=="), //$NON-NLS-1$ //$NON-NLS-2$
				() -> "gdb said:\n" + output(opened.gdb())); //$NON-NLS-1$
		String out = output(opened.gdb());
		assertTrue(out.contains("#0  work (seed=6, rounds=1000000) at ") && out.contains("/loop.c:" + line), out); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	@Order(6)
	void theStatefileViewerShowsCkptInfo() throws Exception {
		assertNotNull(saved);
		SnapshotsView view = SnapshotsView.showAndReveal(saved.path());
		Ui.window().getActivePage().activate(view);
		view.getViewer().setSelection(new StructuredSelection(saved));
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.SHOW_INFO_COMMAND, null);
		IEditorPart editor = Ui.window().getActivePage().getActiveEditor();
		assertTrue(editor instanceof StatefileEditor, String.valueOf(editor));
		StatefileEditor viewer = (StatefileEditor) editor;
		Ui.waitFor("the statefile's description", 20, () -> viewer.getText().contains("Stopped at:")); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(viewer.getText().contains("work at") && viewer.getText().contains("loop.c:" + line), viewer.getText()); //$NON-NLS-1$ //$NON-NLS-2$
		Ui.window().getActivePage().closeEditor(editor, false);
	}

	@Test
	@Order(7)
	void aSessionWithoutTheExtensionIsToldHowToEnableIt() throws Exception {
		ILaunch plain = debugUnderGdb("plain", false); //$NON-NLS-1$
		Ui.spin(1000);
		assertEquals(null, GdbControl.find(gdbPid(plain)), "the extension was loaded although not enabled"); //$NON-NLS-1$
		CoreException e = assertThrows(CoreException.class, () -> Snapshots.save(plain, null));
		assertEquals(CkptDebug.STATUS_NO_EXTENSION, e.getStatus().getCode());
		String message = e.getStatus().getMessage();
		assertTrue(message.contains("Enable snapshots") && message.contains("Snapshots tab") //$NON-NLS-1$ //$NON-NLS-2$
				&& message.contains("source "), message); //$NON-NLS-1$
		plain.terminate();

		// A session that ended cannot be saved: selected in the Debug view, it disables Save Snapshot.
		IWorkbenchPage page = Ui.window().getActivePage();
		IDebugView debugView = (IDebugView) page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
		Ui.waitFor("the Debug view to show the ended launch", 20, () -> { //$NON-NLS-1$
			debugView.getViewer().setSelection(new StructuredSelection(plain));
			Ui.spin(100);
			return debugView.getViewer().getSelection() instanceof StructuredSelection sel && sel.getFirstElement() == plain;
		});
		page.activate(debugView);
		Ui.waitFor("Save Snapshot to be disabled for an ended session", 20, () -> !saveCommand().isEnabled()); //$NON-NLS-1$
	}

	@Test
	@Order(8)
	void showInSnapshotsAndDeleteThroughTheirCommands() throws Exception {
		assertNotNull(attached);
		// Show in Snapshots on the attached session in the Debug view selects its statefile.
		IWorkbenchWindow window = Ui.window();
		IWorkbenchPage page = window.getActivePage();
		IDebugView debugView = (IDebugView) page.showView(IDebugUIConstants.ID_DEBUG_VIEW);
		ILaunch launch = attached.launch();
		Ui.waitFor("the Debug view to show the attach launch", 20, () -> { //$NON-NLS-1$
			debugView.getViewer().setSelection(new StructuredSelection(launch));
			Ui.spin(100);
			return debugView.getViewer().getSelection() instanceof StructuredSelection sel && sel.getFirstElement() == launch;
		});
		page.activate(debugView);
		window.getService(IHandlerService.class).executeCommand(CkptUI.SHOW_IN_SNAPSHOTS_COMMAND, null);
		SnapshotsView view = (SnapshotsView) page.findView(CkptUI.SNAPSHOTS_VIEW_ID);
		Object selected = view.getViewer().getStructuredSelection().getFirstElement();
		assertTrue(selected instanceof Snapshot s && s.origin() != null
				&& launch.getLaunchConfiguration().getName().equals(s.origin().launchConfiguration()), String.valueOf(selected));

		// Delete it (the confirmation is answered yes).
		Snapshot doomed = (Snapshot) selected;
		page.activate(view);
		view.getViewer().setSelection(new StructuredSelection(doomed));
		Ui.spin(200);
		io.ckpt.ui.internal.handlers.DeleteHandler.confirm = false;
		try {
			window.getService(IHandlerService.class).executeCommand(CkptUI.DELETE_COMMAND, null);
		} finally {
			io.ckpt.ui.internal.handlers.DeleteHandler.confirm = true;
		}
		Ui.waitForJobs(30);
		assertFalse(Files.exists(doomed.path()));
		Ui.waitFor("the deleted row to go", 10, () -> row(view, doomed) == null); //$NON-NLS-1$
		assertTrue(Files.exists(saved.path()), "Delete removed another statefile too"); //$NON-NLS-1$
	}

	private static ILaunch findRestartLaunch() throws CoreException {
		for (ILaunch l : DebugPlugin.getDefault().getLaunchManager().getLaunches()) {
			if (l.getLaunchConfiguration() != null
					&& CkptDebug.RESTART_LAUNCH_TYPE.equals(l.getLaunchConfiguration().getType().getIdentifier())) {
				return l;
			}
		}
		throw new AssertionError("no Restart from Snapshot launch"); //$NON-NLS-1$
	}
}
