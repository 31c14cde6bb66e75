package io.ckpt.ui.internal.views;

import org.eclipse.swt.SWT;

/** The columns of the Snapshots view, in their initial order. */
enum SnapshotColumn {
	NAME("Name", 420, SWT.LEFT), //$NON-NLS-1$
	PROGRAM("Program", 110, SWT.LEFT), //$NON-NLS-1$
	STOP_LOCATION("Stop location", 240, SWT.LEFT), //$NON-NLS-1$
	THREADS("Threads", 65, SWT.RIGHT), //$NON-NLS-1$
	SIZE("Size", 80, SWT.RIGHT), //$NON-NLS-1$
	TIME("Time", 150, SWT.LEFT); //$NON-NLS-1$

	final String title;
	final int width;
	final int alignment;

	SnapshotColumn(String title, int width, int alignment) {
		this.title = title;
		this.width = width;
		this.alignment = alignment;
	}
}
