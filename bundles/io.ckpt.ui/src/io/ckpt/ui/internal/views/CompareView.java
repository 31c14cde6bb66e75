package io.ckpt.ui.internal.views;

import java.nio.file.Path;

import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ITableLabelProvider;
import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.part.ViewPart;

import io.ckpt.debug.SnapshotDiff;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.UiJobs;

/**
 * Snapshot Comparison: what differs between two statefiles of one program (the extension's
 * {@code ckpt diff}): the saved thread's arguments and locals, newest frame first, the program's
 * globals, and how many memory pages differ.
 */
public class CompareView extends ViewPart {

	static final String[] COLUMN_NAMES = { Messages.CompareView_variable, Messages.CompareView_where, "A", "B" }; //$NON-NLS-1$ //$NON-NLS-2$
	private static final int[] COLUMN_WIDTHS = { 200, 320, 200, 200 };

	private Label heading;
	private Label memory;
	private TableViewer viewer;
	private SnapshotDiff diff;

	@Override
	public void createPartControl(Composite parent) {
		Composite root = new Composite(parent, SWT.NONE);
		GridLayout layout = new GridLayout(1, false);
		layout.marginWidth = 4;
		root.setLayout(layout);
		heading = new Label(root, SWT.WRAP);
		heading.setText(Messages.CompareView_empty);
		heading.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
		viewer = new TableViewer(root, SWT.FULL_SELECTION | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL);
		Table table = viewer.getTable();
		table.setHeaderVisible(true);
		table.setLinesVisible(true);
		table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
		for (int i = 0; i < COLUMN_NAMES.length; i++) {
			TableColumn c = new TableColumn(table, SWT.LEFT);
			c.setText(COLUMN_NAMES[i]);
			c.setWidth(COLUMN_WIDTHS[i]);
		}
		viewer.setContentProvider(ArrayContentProvider.getInstance());
		viewer.setLabelProvider(new Labels());
		memory = new Label(root, SWT.NONE);
		memory.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
	}

	@Override
	public void setFocus() {
		viewer.getControl().setFocus();
	}

	/** Shows a comparison of A with B. */
	public void show(Path a, Path b, SnapshotDiff result) {
		diff = result;
		long frames = result.rows().stream().filter(r -> "frames".equals(r.section())).count(); //$NON-NLS-1$
		heading.setText(NLS.bind(Messages.CompareView_heading, new Object[] { a.getFileName(), b.getFileName(),
				Path.of(result.program()).getFileName(), Long.toString(frames), Long.toString(result.rows().size() - frames) }));
		heading.setToolTipText(NLS.bind(Messages.CompareView_headingTooltip, new Object[] { a, b, result.program() }));
		memory.setText(NLS.bind(Messages.CompareView_memory, result.memory()));
		viewer.setInput(result.rows().toArray());
		heading.getParent().layout(true);
	}

	/** What is shown (for tests). */
	public SnapshotDiff getDiff() {
		return diff;
	}

	/** The table (for tests). */
	public TableViewer getViewer() {
		return viewer;
	}

	/** Opens the view and shows a comparison; on the UI thread. */
	public static CompareView showResult(Path a, Path b, SnapshotDiff result) {
		IWorkbenchPage page = PlatformUI.getWorkbench().getActiveWorkbenchWindow() == null ? null
				: PlatformUI.getWorkbench().getActiveWorkbenchWindow().getActivePage();
		if (page == null && PlatformUI.getWorkbench().getWorkbenchWindowCount() > 0) {
			page = PlatformUI.getWorkbench().getWorkbenchWindows()[0].getActivePage();
		}
		if (page == null) {
			return null;
		}
		try {
			CompareView view = (CompareView) page.showView(CkptUI.COMPARE_VIEW_ID);
			view.show(a, b, result);
			return view;
		} catch (PartInitException e) {
			UiJobs.report(Messages.CompareView_notOpened, e.getStatus());
			return null;
		}
	}

	private static final class Labels extends LabelProvider implements ITableLabelProvider {
		@Override
		public Image getColumnImage(Object element, int column) {
			return null;
		}

		@Override
		public String getColumnText(Object element, int column) {
			SnapshotDiff.Row r = (SnapshotDiff.Row) element;
			return switch (column) {
			case 0 -> r.name();
			case 1 -> r.where();
			case 2 -> r.a();
			case 3 -> r.b();
			default -> ""; //$NON-NLS-1$
			};
		}
	}
}
