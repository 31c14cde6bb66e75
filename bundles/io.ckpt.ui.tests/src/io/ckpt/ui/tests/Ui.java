package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.intro.IIntroManager;

import io.ckpt.ui.CkptUI;

/** Helpers for tests that run on the UI thread of a real workbench. */
public final class Ui {

	private Ui() {
	}

	public static IWorkbenchWindow window() {
		IWorkbench workbench = PlatformUI.getWorkbench();
		IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
		if (window == null) {
			window = workbench.getWorkbenchWindows()[0];
		}
		IIntroManager intro = workbench.getIntroManager();
		if (intro.getIntro() != null) {
			intro.closeIntro(intro.getIntro());
		}
		Shell shell = window.getShell();
		Rectangle area = shell.getDisplay().getPrimaryMonitor().getClientArea();
		if (!shell.getBounds().equals(area)) {
			shell.setBounds(area);
		}
		return window;
	}

	/** Runs the event loop for {@code millis}. */
	public static void spin(long millis) {
		Display display = Display.getCurrent();
		long end = System.currentTimeMillis() + millis;
		while (System.currentTimeMillis() < end) {
			if (!display.readAndDispatch()) {
				try {
					Thread.sleep(10);
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	/** Runs the event loop until the condition holds, failing after {@code seconds}. */
	public static void waitFor(String what, int seconds, BooleanSupplier condition) {
		Display display = Display.getCurrent();
		long end = System.currentTimeMillis() + seconds * 1000L;
		while (!condition.getAsBoolean()) {
			if (System.currentTimeMillis() > end) {
				throw new AssertionError("timed out after " + seconds + " s waiting for: " + what); //$NON-NLS-1$ //$NON-NLS-2$
			}
			if (display == null || !display.readAndDispatch()) {
				try {
					Thread.sleep(10);
				} catch (InterruptedException e) {
					Thread.currentThread().interrupt();
					return;
				}
			}
		}
	}

	/** Like {@link #waitFor(String, int, BooleanSupplier)}, adding {@code details} to the failure. */
	public static void waitFor(String what, int seconds, BooleanSupplier condition, java.util.function.Supplier<String> details) {
		try {
			waitFor(what, seconds, condition);
		} catch (AssertionError e) {
			throw new AssertionError(e.getMessage() + "\n" + details.get(), e); //$NON-NLS-1$
		}
	}

	/** Waits for ckpt's UI jobs to finish, running the event loop meanwhile. */
	public static void waitForJobs(int seconds) {
		spin(100);
		waitFor("ckpt's jobs", seconds, () -> Job.getJobManager().find(CkptUI.JOB_FAMILY).length == 0); //$NON-NLS-1$
		spin(200);
	}

	/**
	 * Copies a shell's area of the screen into a PNG in the directory named by the system
	 * property ckpt.test.screenshots, and checks that the picture is not blank. The area ends with
	 * the shell's client area: without a window manager (Xvfb) no decorations are drawn, and the
	 * trim that SWT reckons with would show what lies beside the shell.
	 */
	public static Path screenshot(Shell shell, String name) throws IOException {
		Display display = shell.getDisplay();
		shell.forceActive();
		spin(600);
		// From the window's corner (a menu bar above the client area included) to the client area's end.
		Rectangle outer = shell.getBounds();
		Rectangle client = shell.getClientArea();
		org.eclipse.swt.graphics.Point origin = shell.toDisplay(client.x, client.y);
		Rectangle bounds = new Rectangle(outer.x, outer.y, origin.x - outer.x + client.width, origin.y - outer.y + client.height);
		Image image = new Image(display, bounds.width, bounds.height);
		try {
			GC gc = new GC(display);
			try {
				gc.copyArea(image, bounds.x, bounds.y);
			} finally {
				gc.dispose();
			}
			ImageData data = image.getImageData();
			int colors = distinctColors(data);
			assertTrue(colors >= 8, "the screenshot is blank: " + colors + " colors"); //$NON-NLS-1$ //$NON-NLS-2$
			Path folder = Path.of(System.getProperty("ckpt.test.screenshots", "screenshots")).toAbsolutePath(); //$NON-NLS-1$ //$NON-NLS-2$
			Files.createDirectories(folder);
			Path file = folder.resolve(name);
			ImageLoader loader = new ImageLoader();
			loader.data = new ImageData[] { data };
			loader.save(file.toString(), SWT.IMAGE_PNG);
			System.out.println("screenshot: " + file); //$NON-NLS-1$
			assertTrue(Files.size(file) > 0, file + " is empty"); //$NON-NLS-1$
			return file;
		} finally {
			image.dispose();
		}
	}

	/** A view maximized in its page, into a PNG as {@link #screenshot} does; then restored. */
	/** Ends every launch of the workbench, as a test's clean-up does; one that will not end is left. */
	public static void terminateLaunches() {
		for (org.eclipse.debug.core.ILaunch l : org.eclipse.debug.core.DebugPlugin.getDefault().getLaunchManager()
				.getLaunches()) {
			try {
				l.terminate();
			} catch (Exception e) {
				// going anyway
			}
		}
	}

	public static Path screenshotMaximized(org.eclipse.ui.IViewPart view, String name) throws IOException {
		org.eclipse.ui.IWorkbenchPage page = view.getSite().getPage();
		org.eclipse.ui.IWorkbenchPartReference ref = page.getReference(view);
		page.activate(view);
		page.setPartState(ref, org.eclipse.ui.IWorkbenchPage.STATE_MAXIMIZED);
		spin(500);
		try {
			return screenshot(page.getWorkbenchWindow().getShell(), name);
		} finally {
			page.setPartState(ref, org.eclipse.ui.IWorkbenchPage.STATE_RESTORED);
		}
	}

	private static int distinctColors(ImageData data) {
		Set<Integer> colors = new HashSet<>();
		for (int y = 0; y < data.height; y += 7) {
			for (int x = 0; x < data.width; x += 7) {
				colors.add(data.getPixel(x, y));
			}
		}
		return colors.size();
	}

	/** Finds a control of a type that satisfies a test, depth first. */
	public static <T extends Control> T find(Control root, Class<T> type, java.util.function.Predicate<T> test) {
		if (type.isInstance(root) && test.test(type.cast(root))) {
			return type.cast(root);
		}
		if (root instanceof Composite c) {
			for (Control child : c.getChildren()) {
				T found = find(child, type, test);
				if (found != null) {
					return found;
				}
			}
		}
		return null;
	}
}
