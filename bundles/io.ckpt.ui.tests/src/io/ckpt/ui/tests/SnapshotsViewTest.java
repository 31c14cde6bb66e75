package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Rectangle;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.intro.IIntroManager;
import org.eclipse.ui.views.IViewCategory;
import org.eclipse.ui.views.IViewDescriptor;
import org.junit.jupiter.api.Test;

import io.ckpt.ui.CkptUI;

/**
 * Runs in a real IDE workbench (tycho-surefire UI harness, on the UI thread, under Xvfb): opens
 * the Snapshots view and saves a screenshot of the workbench window.
 */
class SnapshotsViewTest {

	private static final List<String> COLUMNS = List.of("Name", "Program", "Stop location", "Threads", "Size", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
			"Time"); //$NON-NLS-1$

	@Test
	void viewIsRegisteredInTheCkptCategory() {
		IWorkbench workbench = PlatformUI.getWorkbench();
		IViewDescriptor descriptor = workbench.getViewRegistry().find(CkptUI.SNAPSHOTS_VIEW_ID);
		assertNotNull(descriptor, "view " + CkptUI.SNAPSHOTS_VIEW_ID + " is not registered"); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals("Snapshots", descriptor.getLabel()); //$NON-NLS-1$

		IViewCategory category = null;
		for (IViewCategory c : workbench.getViewRegistry().getCategories()) {
			if (CkptUI.VIEW_CATEGORY_ID.equals(c.getId())) {
				category = c;
			}
		}
		assertNotNull(category, "view category " + CkptUI.VIEW_CATEGORY_ID + " is not registered"); //$NON-NLS-1$ //$NON-NLS-2$
		assertEquals("ckpt", category.getLabel()); //$NON-NLS-1$
		assertTrue(List.of(category.getViews()).contains(descriptor), "the Snapshots view is not in the ckpt category"); //$NON-NLS-1$
	}

	@Test
	void snapshotsViewOpensEmptyAndIsShown() throws Exception {
		IWorkbench workbench = PlatformUI.getWorkbench();
		IWorkbenchWindow window = workbench.getActiveWorkbenchWindow();
		if (window == null) {
			window = workbench.getWorkbenchWindows()[0];
		}
		Shell shell = window.getShell();
		Display display = shell.getDisplay();
		shell.setBounds(display.getPrimaryMonitor().getClientArea());
		IIntroManager intro = workbench.getIntroManager();
		if (intro.getIntro() != null) {
			intro.closeIntro(intro.getIntro());
		}

		IWorkbenchPage page = window.getActivePage();
		IViewPart view = page.showView(CkptUI.SNAPSHOTS_VIEW_ID);
		spin(display, 1000);

		assertEquals("Snapshots", view.getTitle()); //$NON-NLS-1$
		assertTrue(page.isPartVisible(view), "the Snapshots view is not visible"); //$NON-NLS-1$
		assertSame(view, page.getActivePart(), "the Snapshots view is not the active part"); //$NON-NLS-1$

		Table table = findTable(shell);
		assertNotNull(table, "no table with the Snapshots view's columns in the workbench window"); //$NON-NLS-1$
		assertTrue(table.isVisible(), "the snapshots table is not visible"); //$NON-NLS-1$
		List<String> columns = new ArrayList<>();
		for (TableColumn column : table.getColumns()) {
			columns.add(column.getText());
		}
		assertEquals(COLUMNS, columns);
		assertTrue(table.getHeaderVisible(), "the column headers are hidden"); //$NON-NLS-1$
		assertEquals(0, table.getItemCount(), "there are no snapshots yet, so the table must be empty"); //$NON-NLS-1$

		Label message = findLabel(table.getParent(), "No snapshots"); //$NON-NLS-1$
		assertNotNull(message, "no message saying that there are no snapshots"); //$NON-NLS-1$
		assertTrue(message.isVisible(), "the no-snapshots message is hidden"); //$NON-NLS-1$

		Path png = screenshot(shell, "snapshots-view.png"); //$NON-NLS-1$
		assertTrue(Files.size(png) > 0, png + " is empty"); //$NON-NLS-1$
	}

	/** Runs the event loop for {@code millis} so that the window is laid out and painted. */
	private static void spin(Display display, long millis) throws InterruptedException {
		long end = System.currentTimeMillis() + millis;
		while (System.currentTimeMillis() < end) {
			if (!display.readAndDispatch()) {
				Thread.sleep(20);
			}
		}
	}

	private static Table findTable(Control control) {
		if (control instanceof Table table && table.getColumnCount() > 0
				&& "Stop location".equals(table.getColumn(2).getText())) { //$NON-NLS-1$
			return table;
		}
		if (control instanceof Composite composite) {
			for (Control child : composite.getChildren()) {
				Table found = findTable(child);
				if (found != null) {
					return found;
				}
			}
		}
		return null;
	}

	private static Label findLabel(Composite parent, String prefix) {
		for (Control child : parent.getChildren()) {
			if (child instanceof Label label && label.getText().startsWith(prefix)) {
				return label;
			}
		}
		return null;
	}

	/**
	 * Copies the shell's area of the screen into a PNG under the directory named by the system
	 * property ckpt.test.screenshots, and checks that the picture is not blank.
	 */
	private static Path screenshot(Shell shell, String name) throws IOException, InterruptedException {
		Display display = shell.getDisplay();
		shell.forceActive();
		spin(display, 500);

		Rectangle bounds = shell.getBounds();
		Image image = new Image(display, bounds.width, bounds.height);
		try {
			GC gc = new GC(display);
			try {
				gc.copyArea(image, bounds.x, bounds.y);
			} finally {
				gc.dispose();
			}
			ImageData data = image.getImageData();
			assertTrue(distinctColors(data) >= 8, "the screenshot is blank: " + distinctColors(data) + " colors"); //$NON-NLS-1$ //$NON-NLS-2$

			String dir = System.getProperty("ckpt.test.screenshots", "screenshots"); //$NON-NLS-1$ //$NON-NLS-2$
			Path folder = Path.of(dir).toAbsolutePath();
			Files.createDirectories(folder);
			Path file = folder.resolve(name);
			ImageLoader loader = new ImageLoader();
			loader.data = new ImageData[] { data };
			loader.save(file.toString(), SWT.IMAGE_PNG);
			System.out.println("screenshot: " + file); //$NON-NLS-1$
			return file;
		} finally {
			image.dispose();
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
}
