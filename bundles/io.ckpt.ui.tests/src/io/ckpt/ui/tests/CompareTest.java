package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.widgets.TableItem;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.Test;

import io.ckpt.core.Engine;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.debug.SnapshotDiff;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.views.CompareView;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * Compare Snapshots in a real workbench: two statefiles of the loop program, saved by real gdb
 * at its breakpoint in rounds 0 and 2, are selected in the Snapshots view and compared through
 * the command; the Snapshot Comparison view lists exactly the locals that changed (i: 0 -> 2,
 * total: 42 -> 45), no global, and a count of differing pages. A file that is no statefile gives
 * the extension's one-line reason.
 */
class CompareTest {

	@Test
	void compareShowsTheChangedVariables() throws Exception {
		TestPrograms.requireCommand("gdb"); //$NON-NLS-1$
		IProject project = ResourcesPlugin.getWorkspace().getRoot().getProject("compare"); //$NON-NLS-1$
		if (!project.exists()) {
			project.create(null);
		}
		project.open(null);
		Path base = project.getLocation().toPath();
		Path exe = TestPrograms.compileLoop(base);
		Path dir = base.resolve(".snapshots"); //$NON-NLS-1$
		Files.createDirectories(dir);
		Path a = dir.resolve("round-0.ckpt"); //$NON-NLS-1$
		Path b = dir.resolve("round-2.ckpt"); //$NON-NLS-1$
		Process gdb = new ProcessBuilder("gdb", "-nx", "-q", "-batch", "-ex", "source " + Engine.gdbExtension(), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				"-ex", "break loop.c:" + TestPrograms.breakLine(), "-ex", "run", "-ex", "ckpt save -w " + a, //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				"-ex", "continue", "-ex", "continue", "-ex", "ckpt save -w " + b, "-ex", "kill", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$ //$NON-NLS-7$ //$NON-NLS-8$
				"--args", exe.toString(), "0", "5") //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				.redirectErrorStream(true).redirectOutput(base.resolve("gdb.log").toFile()).start(); //$NON-NLS-1$
		assertTrue(gdb.waitFor(120, TimeUnit.SECONDS), "gdb did not finish"); //$NON-NLS-1$
		assertTrue(Files.isRegularFile(a) && Files.isRegularFile(b), Files.readString(base.resolve("gdb.log"))); //$NON-NLS-1$

		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, Ui.window());
		Snapshot sa = SnapshotStore.getDefault().add(a, null, "compare"); //$NON-NLS-1$
		Snapshot sb = SnapshotStore.getDefault().add(b, null, "compare"); //$NON-NLS-1$
		SnapshotsView snapshots = SnapshotsView.showAndReveal(a);
		assertNotNull(snapshots);
		Ui.waitFor("both statefiles in the Snapshots view", 20, () -> { //$NON-NLS-1$
			snapshots.getViewer().setSelection(new StructuredSelection(List.of(sa, sb)), true);
			return snapshots.getViewer().getStructuredSelection().size() == 2;
		});
		IWorkbenchPage page = Ui.window().getActivePage();
		page.activate(snapshots);
		PlatformUI.getWorkbench().getService(IHandlerService.class).executeCommand(CkptUI.COMPARE_COMMAND, null);
		Ui.waitForJobs(180);

		CompareView view = (CompareView) page.findView(CkptUI.COMPARE_VIEW_ID);
		assertNotNull(view, "Compare Snapshots opened no Snapshot Comparison view"); //$NON-NLS-1$
		SnapshotDiff d = view.getDiff();
		assertNotNull(d, "no comparison shown"); //$NON-NLS-1$
		assertEquals(List.of(new SnapshotDiff.Row("frames", "i", "local of work, frame #0", "0", "2"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
				new SnapshotDiff.Row("frames", "total", "local of work, frame #0", "42", "45")), d.rows(), d.text()); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
		assertEquals(exe.toString(), d.program());
		assertTrue(d.memory().matches("[1-9]\\d* of \\d+ stored pages differ \\(.*\\)"), d.memory()); //$NON-NLS-1$
		TableItem[] items = view.getViewer().getTable().getItems();
		assertEquals(2, items.length);
		assertEquals("total", items[1].getText(0)); //$NON-NLS-1$
		assertEquals("42", items[1].getText(2)); //$NON-NLS-1$
		assertEquals("45", items[1].getText(3)); //$NON-NLS-1$
		Ui.screenshotMaximized(view, "compare.png"); //$NON-NLS-1$

		Path junk = dir.resolve("junk.ckpt"); //$NON-NLS-1$
		Files.writeString(junk, "not a statefile\n"); //$NON-NLS-1$
		CoreException e = assertThrows(CoreException.class, () -> SnapshotDiff.compare(a, junk, null));
		assertTrue(e.getMessage().startsWith("ckpt diff: ") && !e.getMessage().contains("\n"), e.getMessage()); //$NON-NLS-1$ //$NON-NLS-2$
		Files.delete(junk);
	}
}
