package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.core.ILaunchConfiguration;
import org.eclipse.debug.core.ILaunchListener;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.CkptDebug;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.dialogs.PortabilityDialog;
import io.ckpt.ui.internal.views.SnapshotsView;
import io.ckpt.ui.tests.standin.AttachDelegate;

/**
 * Restart with Path Mapping, in a real workbench with the real engine: a program that runs in a
 * directory of its own and writes into a file there is saved, then the directory moves. Check
 * Portability reports the missing working directory and open file, and offers Restart with Path
 * Mapping; given OLD=NEW, the Restart from Snapshot launch carries the mapping
 * ({@code ckpt restart --map-path}) and the program comes back with its working directory and its
 * file at the new place, with CDT's (stand-in) debugger attached.
 */
class RestartWithPathMappingTest {

	private static final String PROJECT = "moving"; //$NON-NLS-1$

	@TempDir
	static Path base;

	private static Path saved;
	private static Path moved;
	private static Snapshot snapshot;
	private static final List<Long> programs = new ArrayList<>();

	@BeforeAll
	static void aProgramSavedInADirectoryThatThenMoves() throws Exception {
		IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject(PROJECT);
		if (!p.exists()) {
			p.create(null);
		}
		p.open(null);
		Path exe = TestPrograms.compileLoop(Files.createDirectories(base.resolve("bin"))); //$NON-NLS-1$
		saved = Files.createDirectories(base.resolve("work")); //$NON-NLS-1$
		moved = base.resolve("work-moved"); //$NON-NLS-1$
		Path out = saved.resolve("out.txt"); //$NON-NLS-1$
		Process program = new ProcessBuilder(exe.toString(), "1").directory(saved.toFile()).redirectErrorStream(true) //$NON-NLS-1$
				.redirectOutput(out.toFile()).start();
		Ui.waitFor("the loop's first round", 20, () -> { //$NON-NLS-1$
			try {
				return Files.readString(out).contains("round"); //$NON-NLS-1$
			} catch (java.io.IOException e) {
				return false;
			}
		});
		Path statefile = Files.createDirectories(SnapshotStore.directoryFor(PROJECT)).resolve("moving.ckpt"); //$NON-NLS-1$
		Engine.dump(program.pid(), statefile, DumpMode.KILL, null);
		program.waitFor();
		Files.move(saved, moved);
		snapshot = SnapshotStore.getDefault().add(statefile, null, PROJECT);
		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, Ui.window());
	}

	@AfterAll
	static void cleanUp() {
		Ui.terminateLaunches();
		programs.forEach(TestPrograms::kill);
	}

	@Test
	void theReportOffersAPathMappingAndTheRestartUsesIt() throws Exception {
		SnapshotsView view = SnapshotsView.showAndReveal(snapshot.path());
		Ui.window().getActivePage().activate(view);
		view.getViewer().setSelection(new StructuredSelection(snapshot));
		Ui.spin(200);
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.CHECK_PORTABILITY_COMMAND, null);
		Ui.waitForJobs(60);
		AtomicReference<PortabilityDialog> found = new AtomicReference<>();
		Ui.waitFor("the portability report", 30, () -> { //$NON-NLS-1$
			for (Shell s : Display.getCurrent().getShells()) {
				if (!s.isDisposed() && s.getData() instanceof PortabilityDialog d) {
					found.set(d);
				}
			}
			return found.get() != null;
		});
		PortabilityDialog report = found.get();
		List<String> problems = report.entries().get(0).report().problemChecks().stream().map(c -> c.area() + " " + c.subject()).toList();
		assertTrue(problems.contains("cwd " + saved), problems.toString()); //$NON-NLS-1$
		assertTrue(problems.contains("open file " + saved.resolve("out.txt")), problems.toString()); //$NON-NLS-1$ //$NON-NLS-2$
		assertFalse(button(report, "&Restart").isEnabled()); //$NON-NLS-1$
		Button mapped = button(report, "Restart with &Path Mapping..."); //$NON-NLS-1$
		assertTrue(mapped.isEnabled(), "no path mapping offered for a moved directory"); //$NON-NLS-1$

		// The question proposes the missing directory as OLD; answer OLD=NEW.
		AtomicReference<String> proposed = new AtomicReference<>();
		ExportSnapshotTest.whenShellOpens(s -> s.getData() instanceof InputDialog, s -> {
			Text text = Ui.find(s, Text.class, t -> (t.getStyle() & SWT.READ_ONLY) == 0);
			proposed.set(text.getText());
			text.setText(saved + "=" + moved); //$NON-NLS-1$
			Button ok = Ui.find(s, Button.class, b -> b.getText().equals("OK")); //$NON-NLS-1$
			ok.notifyListeners(SWT.Selection, new Event());
			return true;
		});
		int before = AttachDelegate.LAUNCHED.size();
		List<ILaunchConfiguration> restarts = new java.util.concurrent.CopyOnWriteArrayList<>();
		ILaunchListener listener = new ILaunchListener() {
			@Override
			public void launchAdded(ILaunch l) {
				ILaunchConfiguration c = l.getLaunchConfiguration();
				try {
					if (c != null && CkptDebug.RESTART_LAUNCH_TYPE.equals(c.getType().getIdentifier())) {
						restarts.add(c);
					}
				} catch (CoreException e) {
					throw new AssertionError(e);
				}
			}

			@Override
			public void launchChanged(ILaunch l) {
				// only additions matter
			}

			@Override
			public void launchRemoved(ILaunch l) {
				// only additions matter
			}
		};
		DebugPlugin.getDefault().getLaunchManager().addLaunchListener(listener);
		try {
			mapped.notifyListeners(SWT.Selection, new Event());
			assertEquals(saved + "=", proposed.get()); //$NON-NLS-1$
			Ui.waitForJobs(180);
			Ui.waitFor("CDT's attach launch", 60, () -> AttachDelegate.LAUNCHED.size() > before); //$NON-NLS-1$
		} finally {
			DebugPlugin.getDefault().getLaunchManager().removeLaunchListener(listener);
		}

		// The restart launch carried the mapping, and the program runs at the new place.
		assertEquals(1, restarts.size(), "Restart from Snapshot launches: " + restarts); //$NON-NLS-1$
		ILaunchConfiguration restart = restarts.get(0);
		assertEquals(snapshot.path().toString(), restart.getAttribute(CkptDebug.ATTR_STATEFILE, "")); //$NON-NLS-1$
		assertEquals(List.of(saved + "=" + moved), restart.getAttribute(CkptDebug.ATTR_PATH_MAPS, List.of())); //$NON-NLS-1$
		Object attachedPid = AttachDelegate.LAUNCHED.get(AttachDelegate.LAUNCHED.size() - 1).attributes()
				.get("org.eclipse.cdt.launch.ATTACH_PROCESS_ID"); //$NON-NLS-1$
		long pid = ((Number) attachedPid).longValue();
		programs.add(pid);
		Path proc = Path.of("/proc", Long.toString(pid)); //$NON-NLS-1$
		assertEquals(moved, Files.readSymbolicLink(proc.resolve("cwd"))); //$NON-NLS-1$
		assertEquals(moved.resolve("out.txt"), Files.readSymbolicLink(proc.resolve("fd").resolve("1"))); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	private static Button button(PortabilityDialog d, String text) {
		Button b = Ui.find(d.getShell(), Button.class, x -> x.getText().equals(text));
		assertNotNull(b, "no button " + text); //$NON-NLS-1$
		return b;
	}
}
