package io.ckpt.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.commands.Command;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Tree;
import org.eclipse.swt.widgets.TreeColumn;
import org.eclipse.ui.IViewPart;
import org.eclipse.ui.IWorkbench;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.keys.IBindingService;
import org.eclipse.ui.views.IViewCategory;
import org.eclipse.ui.views.IViewDescriptor;
import org.junit.jupiter.api.Test;

import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.CkptUI;

/** The Snapshots view, the commands and their key bindings are registered, and the view opens. */
class SnapshotsViewTest {

	private static final List<String> COLUMNS = List.of("Name", "Program", "Stop location", "Threads", "Size", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
			"Time", "Origin", "Label", "Timeline"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$

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
		assertNotNull(category);
		assertEquals("ckpt", category.getLabel()); //$NON-NLS-1$
		assertTrue(List.of(category.getViews()).contains(descriptor));
	}

	@Test
	void commandsHaveHandlersAndKeyBindings() throws Exception {
		ICommandService commands = PlatformUI.getWorkbench().getService(ICommandService.class);
		IBindingService bindings = PlatformUI.getWorkbench().getService(IBindingService.class);
		String[][] expected = { { CkptUI.SAVE_SNAPSHOT_COMMAND, "Save Snapshot", "Ctrl+Alt+K S" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.RESTART_COMMAND, "Restart from Snapshot", "Ctrl+Alt+K R" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.OPEN_AS_CORE_COMMAND, "Open as Core", "Ctrl+Alt+K C" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.SHOW_IN_SNAPSHOTS_COMMAND, "Show in Snapshots", "Ctrl+Alt+K W" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.IMPORT_COMMAND, "Import Snapshot...", "Ctrl+Alt+K I" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.CHECK_PORTABILITY_COMMAND, "Check Portability", "Ctrl+Alt+K P" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.GO_BACK_COMMAND, "Go Back to Snapshot", "Ctrl+Alt+K B" }, //$NON-NLS-1$ //$NON-NLS-2$
				// Ctrl+Alt+K P is Check Portability's: the snapshot point has T (in text editors).
				{ CkptUI.TOGGLE_SNAPPOINT_COMMAND, "Toggle Snapshot Point", "Ctrl+Alt+K T" }, //$NON-NLS-1$ //$NON-NLS-2$
				{ CkptUI.DELETE_COMMAND, "Delete Snapshot", "Delete" } }; //$NON-NLS-1$ //$NON-NLS-2$
		for (String[] e : expected) {
			Command c = commands.getCommand(e[0]);
			assertTrue(c.isDefined(), e[0] + " is not defined"); //$NON-NLS-1$
			assertEquals(e[1], c.getName().strip());
			assertTrue(c.isHandled(), e[0] + " has no handler"); //$NON-NLS-1$
			List<String> keys = new ArrayList<>();
			for (var b : bindings.getActiveBindingsFor(e[0])) {
				keys.add(b.format());
			}
			if (keys.isEmpty()) { // bound in a context that is not active now (the Snapshots view's)
				for (var b : bindings.getBindings()) {
					if (b.getParameterizedCommand() != null && e[0].equals(b.getParameterizedCommand().getId())) {
						keys.add(b.getTriggerSequence().format());
					}
				}
			}
			assertTrue(keys.contains(e[2]), e[0] + " is bound to " + keys + ", not " + e[2]); //$NON-NLS-1$ //$NON-NLS-2$
		}
	}

	@Test
	void viewOpensWithItsColumns() {
		IWorkbenchWindow window = Ui.window();
		IWorkbenchPage page = window.getActivePage();
		IViewPart view;
		try {
			view = page.showView(CkptUI.SNAPSHOTS_VIEW_ID);
		} catch (Exception e) {
			throw new AssertionError(e);
		}
		Ui.spin(500);
		assertEquals("Snapshots", view.getTitle()); //$NON-NLS-1$
		assertTrue(page.isPartVisible(view));
		assertSame(view, page.getActivePart());
		Tree tree = Ui.find(window.getShell(), Tree.class,
				t -> t.getColumnCount() == 9 && "Stop location".equals(t.getColumn(2).getText())); //$NON-NLS-1$
		assertNotNull(tree, "no tree with the Snapshots view's columns"); //$NON-NLS-1$
		List<String> columns = new ArrayList<>();
		for (TreeColumn column : tree.getColumns()) {
			columns.add(column.getText());
		}
		assertEquals(COLUMNS, columns);
		Label message = Ui.find(tree.getParent(), Label.class, l -> l.getText().startsWith("No snapshots")); //$NON-NLS-1$
		assertNotNull(message, "no message for an empty list"); //$NON-NLS-1$
		assertEquals(SnapshotStore.getDefault().snapshots().isEmpty(), message.isVisible());
	}
}
