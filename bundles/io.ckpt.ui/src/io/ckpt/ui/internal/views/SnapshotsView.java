package io.ckpt.ui.internal.views;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.ui.part.ViewPart;

/**
 * The Snapshots view: lists the statefiles ckpt knows about. For now there is no snapshot store
 * yet, so it shows the columns and a message saying that no snapshot exists.
 */
public class SnapshotsView extends ViewPart {

	static final String NO_SNAPSHOTS_MESSAGE = "No snapshots yet. Stop a C/C++ program at a breakpoint " //$NON-NLS-1$
			+ "and take a snapshot: it will be listed here."; //$NON-NLS-1$

	private static final String[] COLUMN_NAMES = { "Name", "Program", "Stop location", "Threads", "Size", //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$
			"Time" }; //$NON-NLS-1$
	private static final int[] COLUMN_WIDTHS = { 160, 220, 240, 70, 90, 160 };
	private static final int[] COLUMN_ALIGNMENT = { SWT.LEFT, SWT.LEFT, SWT.LEFT, SWT.RIGHT, SWT.RIGHT, SWT.LEFT };

	private Composite root;
	private Label message;
	private Table table;

	@Override
	public void createPartControl(Composite parent) {
		root = new Composite(parent, SWT.NONE);
		GridLayout layout = new GridLayout(1, false);
		layout.marginWidth = 0;
		layout.marginHeight = 0;
		layout.verticalSpacing = 4;
		root.setLayout(layout);

		message = new Label(root, SWT.WRAP);
		message.setText(NO_SNAPSHOTS_MESSAGE);
		GridData messageData = new GridData(SWT.FILL, SWT.TOP, true, false);
		messageData.horizontalIndent = 4;
		messageData.verticalIndent = 4;
		message.setLayoutData(messageData);

		table = new Table(root, SWT.MULTI | SWT.FULL_SELECTION | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL);
		table.setHeaderVisible(true);
		table.setLinesVisible(true);
		table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
		for (int i = 0; i < COLUMN_NAMES.length; i++) {
			TableColumn column = new TableColumn(table, COLUMN_ALIGNMENT[i]);
			column.setText(COLUMN_NAMES[i]);
			column.setWidth(COLUMN_WIDTHS[i]);
			column.setMoveable(true);
		}
	}

	@Override
	public void setFocus() {
		table.setFocus();
	}
}
