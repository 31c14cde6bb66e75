package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfigurationType;
import org.eclipse.debug.core.ILaunchConfigurationWorkingCopy;
import org.eclipse.debug.core.ILaunchManager;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.ui.PlatformUI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.Snapshots;
import io.ckpt.debug.internal.GdbControl;
import io.ckpt.debug.internal.GdbInit;
import io.ckpt.debug.internal.Sessions;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.views.SnapshotsView;
import io.ckpt.ui.tests.standin.ApplicationDelegate;
import io.ckpt.ui.tests.standin.StandInGdb;

/**
 * Save Anyway, with real gdb and ckpt's extension in a real workbench: a program that holds a
 * packet socket (which restart cannot rebuild) stops at a breakpoint; Save Snapshot is refused
 * with the engine's line naming the fd, and the error offers Save Anyway, which saves it (the
 * socket's request with allow_unrestorable); the statefile appears in the Snapshots view.
 */
class SaveAnywayTest {

	private static final String PROJECT = "holder"; //$NON-NLS-1$
	private static final String APPLICATION_TYPE = "org.eclipse.cdt.launch.applicationLaunchType"; //$NON-NLS-1$

	/** Holds a packet socket while it loops; line BREAK HERE is where gdb stops it. */
	private static final String PACKET_C = """
			#include <stdio.h>
			#include <unistd.h>
			#include <sys/socket.h>

			int main(void)
			{
				int pk = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
				if (pk < 0)
					return 1;
				long sum = 0;
				for (int i = 0; i < 20; i++) {
					sum += i; /* BREAK HERE */
					usleep(1000);
				}
				printf("sum %ld\\n", sum);
				return 0;
			}
			""";

	private static IProject project;
	private static Path exe;
	private static int line;
	private static final List<Long> programs = new ArrayList<>();

	@BeforeAll
	static void aProgramHoldingANetlinkSocket() throws Exception {
		TestPrograms.requireCommand("gdb"); //$NON-NLS-1$
		project = ResourcesPlugin.getWorkspace().getRoot().getProject(PROJECT);
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		Path dir = project.getLocation().toPath();
		Path source = dir.resolve("packet.c"); //$NON-NLS-1$
		Files.writeString(source, PACKET_C);
		exe = dir.resolve("packet"); //$NON-NLS-1$
		TestPrograms.run(dir, 120, "gcc", "-g", "-O0", "-o", exe.toString(), source.toString()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
		List<String> lines = List.of(PACKET_C.split("\n")); //$NON-NLS-1$
		line = 1 + lines.indexOf(lines.stream().filter(l -> l.contains("BREAK HERE")).findFirst().orElseThrow()); //$NON-NLS-1$
		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, Ui.window());
	}

	@AfterAll
	static void cleanUp() {
		Ui.terminateLaunches();
		programs.forEach(TestPrograms::kill);
	}

	@Test
	void aRefusedSaveIsSavedAnywayFromTheErrorDialog() throws Exception {
		ILaunchManager manager = DebugPlugin.getDefault().getLaunchManager();
		ILaunchConfigurationType type = manager.getLaunchConfigurationType(APPLICATION_TYPE);
		ILaunchConfigurationWorkingCopy wc = type.newInstance(null, manager.generateLaunchConfigurationName("packet")); //$NON-NLS-1$
		wc.setAttribute("org.eclipse.cdt.launch.PROJECT_ATTR", PROJECT); //$NON-NLS-1$
		wc.setAttribute(StandInGdb.ATTR_PROGRAM, exe.toString());
		wc.setAttribute(ApplicationDelegate.ATTR_BREAK, "packet.c:" + line); //$NON-NLS-1$
		GdbInit.enable(wc, true); // what the Snapshots tab does
		ILaunch launch = wc.doSave().launch(ILaunchManager.DEBUG_MODE, null);
		Ui.waitFor("gdb to stop packet at line " + line, 60, () -> Snapshots.canSave(launch)); //$NON-NLS-1$
		Sessions.inferiors(launch).forEach(programs::add);
		long gdbPid = Sessions.pid(Sessions.gdbProcess(launch));
		Ui.waitFor("the ckpt control socket of gdb", 30, () -> GdbControl.find(gdbPid) != null); //$NON-NLS-1$

		// The refusal comes in a dialog of its own, with Save Anyway; press it.
		AtomicReference<String> refusal = new AtomicReference<>();
		AtomicReference<List<String>> buttons = new AtomicReference<>();
		ExportSnapshotTest.whenShellOpens(s -> "Save Snapshot failed".equals(s.getText()), s -> { //$NON-NLS-1$
			Label message = Ui.find(s, Label.class, l -> l.getText().contains("cannot")); //$NON-NLS-1$
			Button anyway = Ui.find(s, Button.class, b -> b.getText().equals("Save &Anyway")); //$NON-NLS-1$
			if (message == null || anyway == null) {
				return false;
			}
			refusal.set(message.getText());
			List<String> texts = new ArrayList<>();
			Ui.find(s, Button.class, b -> !texts.add(b.getText()));
			buttons.set(texts);
			anyway.notifyListeners(SWT.Selection, new Event());
			return true;
		});
		SaveRestartTest.saveThroughTheCommand(launch);

		Path dir = project.getLocation().toPath().resolve(".snapshots"); //$NON-NLS-1$
		Ui.waitFor("the statefile saved anyway", 180, () -> !mine(dir).isEmpty(), () -> "the refusal: " + refusal.get()); //$NON-NLS-1$ //$NON-NLS-2$
		Ui.waitForJobs(180);
		assertNotNull(refusal.get(), "no dialog offered Save Anyway"); //$NON-NLS-1$
		// The engine's one line (after gdb's command name), naming the fd and what it is.
		assertTrue(refusal.get().matches("(?s)ckpt save: cannot save fd \\d+ of pid \\d+ \\(socket:\\[\\d+\\]\\): it is a socket of a kind restart cannot rebuild.*"), //$NON-NLS-1$
				refusal.get());
		assertEquals(List.of("Save &Anyway", "Cancel"), buttons.get()); //$NON-NLS-1$ //$NON-NLS-2$

		List<Snapshot> saved = mine(dir);
		assertEquals(1, saved.size(), saved.toString());
		Snapshot snapshot = saved.get(0);
		Statefile contents = SnapshotStore.getDefault().metadata(snapshot);
		assertTrue(contents.fromDebugger());
		assertEquals("main", contents.stop().function()); //$NON-NLS-1$
		assertEquals(line, contents.stop().line());
		SnapshotsView view = (SnapshotsView) Ui.window().getActivePage().findView(CkptUI.SNAPSHOTS_VIEW_ID);
		assertNotNull(view, "the Snapshots view did not open"); //$NON-NLS-1$
		Ui.waitFor("the statefile's row in the Snapshots view", 20, () -> SaveRestartTest.row(view, snapshot) != null); //$NON-NLS-1$
		assertEquals(snapshot, view.getViewer().getStructuredSelection().getFirstElement(), "the saved statefile is not selected"); //$NON-NLS-1$
	}

	private static List<Snapshot> mine(Path dir) {
		return SnapshotStore.getDefault().snapshots().stream().filter(s -> s.path().startsWith(dir)).toList();
	}
}
