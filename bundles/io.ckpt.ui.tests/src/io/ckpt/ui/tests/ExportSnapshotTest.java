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
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.eclipse.core.resources.IProject;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.ui.IDebugUIConstants;
import org.eclipse.jface.action.IContributionItem;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.handlers.IHandlerService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import com.sun.jna.Library;
import com.sun.jna.Native;

import io.ckpt.core.DumpMode;
import io.ckpt.core.Engine;
import io.ckpt.core.PortabilityCheck;
import io.ckpt.core.PortabilityReport;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.tests.util.TestPrograms;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.SnapshotExport;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * Export Snapshot for Sharing, in a real workbench with the real engine: a program linked
 * against a private shared library is saved into a project's snapshot directory. Declining the
 * secrets confirmation writes nothing; accepting it packs the statefile beside it as
 * NAME-packed.ckpt and says how big it is and how many files it carries. Once the library is
 * rebuilt with other code, the engine's portability check says that the packed file carries the
 * library and restarts, and that the original does not. A cancelled export leaves no file, and
 * File > Export > ckpt > Snapshot for Sharing packs too.
 */
@TestMethodOrder(OrderAnnotation.class)
class ExportSnapshotTest {

	private static final String PROJECT = "sharing"; //$NON-NLS-1$
	private static final SnapshotExport.DestinationChooser DEFAULT_CHOOSER = SnapshotExport.chooser;

	/** setenv and unsetenv, for the engine's test switch that makes packing slow enough to cancel. */
	interface Environment extends Library {
		Environment C = Native.load("c", Environment.class); //$NON-NLS-1$

		int setenv(String name, String value, int overwrite);

		int unsetenv(String name);
	}

	@TempDir
	static Path build;

	private static Path libDir;
	private static Path statefile;
	private static Snapshot snapshot;

	@BeforeAll
	static void aStatefileOfAProgramWithAPrivateLibrary() throws Exception {
		IProject p = ResourcesPlugin.getWorkspace().getRoot().getProject(PROJECT);
		if (!p.exists()) {
			p.create(null);
		}
		p.open(null);
		libDir = Files.createDirectories(build.resolve("build")); //$NON-NLS-1$
		Path parser = TestPrograms.compileWithPrivateLibrary(libDir);
		Process program = TestPrograms.startParser(parser, libDir.resolve("parser.out")); //$NON-NLS-1$
		Path dir = Files.createDirectories(SnapshotStore.directoryFor(PROJECT));
		statefile = dir.resolve("bug.ckpt"); //$NON-NLS-1$
		Engine.dump(program.pid(), statefile, DumpMode.KILL, null);
		program.waitFor();
		snapshot = SnapshotStore.getDefault().add(statefile, null, PROJECT);
		PlatformUI.getWorkbench().showPerspective(IDebugUIConstants.ID_DEBUG_PERSPECTIVE, Ui.window());
	}

	@AfterEach
	void closeTheDialogs() {
		for (Shell s : Display.getCurrent().getShells()) {
			if (!s.isDisposed() && s.getData() instanceof MessageDialog d) {
				d.close();
			}
		}
		Ui.spin(100);
	}

	@AfterAll
	static void putTheChooserBack() {
		SnapshotExport.chooser = DEFAULT_CHOOSER;
		Environment.C.unsetenv("CKPT_TEST_SLOW_WRITE"); //$NON-NLS-1$
	}

	@Test
	@Order(1)
	void declinedSecretsConfirmationWritesNothing() throws Exception {
		AtomicReference<Path> suggested = new AtomicReference<>();
		SnapshotExport.chooser = (shell, from, proposal) -> {
			suggested.set(proposal);
			return proposal;
		};
		AtomicReference<String> warning = new AtomicReference<>();
		whenShellOpens(s -> "Export Snapshot for Sharing".equals(s.getText()), s -> { //$NON-NLS-1$
			warning.set(message(s));
			return press(s, "Cancel"); //$NON-NLS-1$
		});
		exportThroughTheCommand();
		Ui.waitForJobs(60);

		Path packed = statefile.resolveSibling("bug-packed.ckpt"); //$NON-NLS-1$
		assertEquals(packed, suggested.get(), "the destination suggested"); //$NON-NLS-1$
		assertNotNull(warning.get(), "no confirmation before packing"); //$NON-NLS-1$
		for (String word : List.of("bug-packed.ckpt", "memory", "environment", "files", "secrets")) { //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
			assertTrue(warning.get().contains(word), "the confirmation does not say " + word + ": " + warning.get()); //$NON-NLS-1$ //$NON-NLS-2$
		}
		assertFalse(Files.exists(packed), "declined, and yet " + packed + " was written"); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(List.of(), temporaryFiles(packed));
	}

	@Test
	@Order(2)
	void exportPacksBesideItAndThePackedFileRestartsWhereTheLibraryChanged() throws Exception {
		Path packed = statefile.resolveSibling("bug-packed.ckpt"); //$NON-NLS-1$
		SnapshotExport.chooser = (shell, from, proposal) -> proposal;
		whenShellOpens(s -> "Export Snapshot for Sharing".equals(s.getText()), s -> press(s, "&Export")); //$NON-NLS-1$ //$NON-NLS-2$
		exportThroughTheCommand();
		Ui.waitForJobs(120);

		// The result: where, how big, how many files.
		Shell done = waitForShell("Snapshot Exported"); //$NON-NLS-1$
		String said = message(done);
		assertTrue(Files.isRegularFile(packed), packed + " is missing; the dialog said: " + said); //$NON-NLS-1$
		assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(packed))); //$NON-NLS-1$
		String size = String.format("%.1f MiB", Files.size(packed) / 1048576.0); //$NON-NLS-1$
		assertTrue(said.startsWith(packed + " is " + size + ": it carries "), said); //$NON-NLS-1$ //$NON-NLS-2$
		java.util.regex.Matcher files = java.util.regex.Pattern.compile("it carries (\\d+) files").matcher(said); //$NON-NLS-1$
		assertTrue(files.find(), said);
		// At least the program, its library, libc and the dynamic loader.
		assertTrue(Integer.parseInt(files.group(1)) >= 4, said);
		assertEquals(List.of(), temporaryFiles(packed));

		// A rebuilt library (other code at the same path): the packed file carries the old one.
		TestPrograms.rebuildPrivateLibrary(libDir);
		try {
			String library = libDir.resolve("libparse.so").toString(); //$NON-NLS-1$
			PortabilityReport exported = Engine.check(packed);
			assertTrue(exported.restartable(), "the packed statefile cannot restart: " + exported.problemChecks()); //$NON-NLS-1$
			PortabilityCheck lib = check(exported, library);
			assertTrue(lib.state().startsWith("embedded"), lib.toString()); //$NON-NLS-1$
			PortabilityReport original = Engine.check(statefile);
			assertFalse(original.restartable(), "the original restarts with a rebuilt library"); //$NON-NLS-1$
			assertEquals(library, original.firstProblem().orElseThrow().subject());
		} finally {
			TestPrograms.putBackPrivateLibrary(libDir); // pack needs the files the program had mapped
		}
	}

	@Test
	@Order(3)
	void aCancelledExportLeavesNoFile() throws Exception {
		Path packed = build.resolve("cancelled.ckpt"); //$NON-NLS-1$
		SnapshotExport.chooser = (shell, from, proposal) -> packed;
		whenShellOpens(s -> "Export Snapshot for Sharing".equals(s.getText()), s -> press(s, "&Export")); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(0, Environment.C.setenv("CKPT_TEST_SLOW_WRITE", "1", 1)); //$NON-NLS-1$ //$NON-NLS-2$
		try {
			exportThroughTheCommand();
			Ui.waitFor("the engine writing " + packed, 30, () -> !temporaryFiles(packed).isEmpty()); //$NON-NLS-1$
			Job[] jobs = Job.getJobManager().find(CkptUI.JOB_FAMILY);
			assertEquals(1, jobs.length);
			AtomicBoolean cancelled = new AtomicBoolean();
			jobs[0].addJobChangeListener(new org.eclipse.core.runtime.jobs.JobChangeAdapter() {
				@Override
				public void done(org.eclipse.core.runtime.jobs.IJobChangeEvent event) {
					cancelled.set(event.getResult().getSeverity() == org.eclipse.core.runtime.IStatus.CANCEL);
				}
			});
			jobs[0].cancel();
			Ui.waitForJobs(60);
			assertTrue(cancelled.get(), "the job did not end cancelled"); //$NON-NLS-1$
		} finally {
			Environment.C.unsetenv("CKPT_TEST_SLOW_WRITE"); //$NON-NLS-1$
		}
		assertFalse(Files.exists(packed), "cancelled, and yet " + packed + " is there"); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals(List.of(), temporaryFiles(packed));
	}

	@Test
	@Order(4)
	void fileExportSnapshotForSharingPacksTheSelectedStatefile() throws Exception {
		org.eclipse.ui.wizards.IWizardDescriptor descriptor = PlatformUI.getWorkbench().getExportWizardRegistry()
				.findWizard(CkptUI.EXPORT_WIZARD_ID);
		assertNotNull(descriptor, "no export wizard " + CkptUI.EXPORT_WIZARD_ID); //$NON-NLS-1$
		assertEquals("Snapshot for Sharing", descriptor.getLabel()); //$NON-NLS-1$
		assertEquals("ckpt", descriptor.getCategory().getLabel()); //$NON-NLS-1$
		org.eclipse.ui.IWorkbenchWizard wizard = descriptor.createWizard();
		wizard.init(PlatformUI.getWorkbench(), new StructuredSelection(snapshot));
		org.eclipse.jface.wizard.WizardDialog dialog = new org.eclipse.jface.wizard.WizardDialog(Ui.window().getShell(), wizard);
		dialog.setBlockOnOpen(false);
		dialog.open();
		Path packed = build.resolve("from-the-wizard.ckpt"); //$NON-NLS-1$
		try {
			Shell shell = dialog.getShell();
			List<Text> texts = new ArrayList<>();
			Ui.find(shell, Text.class, t -> !texts.add(t)); // all of them, in order
			assertEquals(statefile.toString(), texts.get(0).getText());
			assertEquals(statefile.resolveSibling("bug-packed.ckpt").toString(), texts.get(1).getText()); //$NON-NLS-1$
			assertNotNull(Ui.find(shell, Label.class, l -> l.getText().contains("may hold secrets")), "the page does not warn"); //$NON-NLS-1$ //$NON-NLS-2$
			texts.get(1).setText(packed.toString());
			Button finish = Ui.find(shell, Button.class, b -> b.getText().equals("&Finish")); //$NON-NLS-1$
			assertTrue(finish.isEnabled());
			whenShellOpens(s -> "Export Snapshot for Sharing".equals(s.getText()) && s != shell, s -> press(s, "&Export")); //$NON-NLS-1$ //$NON-NLS-2$
			finish.notifyListeners(SWT.Selection, new Event());
		} finally {
			if (dialog.getShell() != null && !dialog.getShell().isDisposed()) {
				dialog.close();
			}
		}
		Ui.waitForJobs(120);
		assertTrue(Files.isRegularFile(packed), packed + " is missing"); //$NON-NLS-1$
		assertTrue(message(waitForShell("Snapshot Exported")).startsWith(packed + " is ")); //$NON-NLS-1$ //$NON-NLS-2$
		assertTrue(check(Engine.check(packed), libDir.resolve("libparse.so").toString()).state().contains("embedded")); //$NON-NLS-1$ //$NON-NLS-2$
	}

	@Test
	@Order(5)
	void theCommandIsInTheSnapshotsViewsMenus() throws Exception {
		SnapshotsView view = SnapshotsView.showAndReveal(statefile);
		Ui.window().getActivePage().activate(view);
		Ui.spin(300);
		org.eclipse.swt.widgets.Menu popup = view.getViewer().getTree().getMenu();
		popup.notifyListeners(SWT.Show, new Event());
		List<String> items = new ArrayList<>();
		for (var item : popup.getItems()) {
			items.add(item.getText().split("\t")[0]); //$NON-NLS-1$
		}
		popup.notifyListeners(SWT.Hide, new Event());
		assertTrue(items.contains("Export Snapshot for Sharing..."), items.toString()); //$NON-NLS-1$
		// The view's toolbar menu, as the workbench fills it from the menu contributions.
		org.eclipse.jface.action.MenuManager menu = new org.eclipse.jface.action.MenuManager();
		org.eclipse.ui.menus.IMenuService menus = Ui.window().getService(org.eclipse.ui.menus.IMenuService.class);
		menus.populateContributionManager(menu, "menu:" + CkptUI.SNAPSHOTS_VIEW_ID); //$NON-NLS-1$
		List<String> viewMenu = new ArrayList<>();
		for (IContributionItem item : menu.getItems()) {
			viewMenu.add(item.getId()); // a command's contribution is named by its command
		}
		menus.releaseContributions(menu);
		assertTrue(viewMenu.contains(CkptUI.EXPORT_COMMAND), viewMenu.toString());
		assertTrue(viewMenu.contains(CkptUI.IMPORT_COMMAND), viewMenu.toString());
	}

	// --- helpers

	private static void exportThroughTheCommand() throws Exception {
		SnapshotsView view = SnapshotsView.showAndReveal(statefile);
		Ui.window().getActivePage().activate(view);
		view.getViewer().setSelection(new StructuredSelection(snapshot));
		Ui.spin(200);
		Ui.window().getService(IHandlerService.class).executeCommand(CkptUI.EXPORT_COMMAND, null);
	}

	private static PortabilityCheck check(PortabilityReport report, String subject) {
		return report.checks().stream().filter(c -> subject.equals(c.subject())).findFirst()
				.orElseThrow(() -> new AssertionError("no check of " + subject + ": " + report.checks())); //$NON-NLS-1$ //$NON-NLS-2$
	}

	/** The engine's temporary files for {@code packed} ({@code .NAME.XXXXXX.tmp} beside it). */
	private static List<Path> temporaryFiles(Path packed) {
		try (Stream<Path> files = Files.list(packed.getParent())) {
			String prefix = "." + packed.getFileName() + "."; //$NON-NLS-1$ //$NON-NLS-2$
			return files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
		} catch (IOException e) {
			throw new AssertionError(e);
		}
	}

	/** The longest label of a dialog: its message. */
	private static String message(Shell s) {
		AtomicReference<String> longest = new AtomicReference<>(""); //$NON-NLS-1$
		Ui.find(s, Label.class, l -> {
			if (l.getText().length() > longest.get().length()) {
				longest.set(l.getText());
			}
			return false;
		});
		return longest.get();
	}

	private static boolean press(Shell s, String text) {
		Button b = Ui.find(s, Button.class, x -> x.getText().equals(text));
		if (b == null) {
			return false;
		}
		b.notifyListeners(SWT.Selection, new Event());
		return true;
	}

	private static Shell waitForShell(String title) {
		AtomicReference<Shell> found = new AtomicReference<>();
		Ui.waitFor("a dialog " + title, 30, () -> { //$NON-NLS-1$
			for (Shell s : Display.getCurrent().getShells()) {
				if (!s.isDisposed() && s.isVisible() && title.equals(s.getText())) {
					found.set(s);
				}
			}
			return found.get() != null;
		});
		return found.get();
	}

	/**
	 * Acts on the first shell that opens and passes the test, from inside its event loop (it may be
	 * modal), until the action says it is done.
	 */
	static void whenShellOpens(Predicate<Shell> test, Predicate<Shell> action) {
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
}
