package io.ckpt.ui.internal.views;

import org.eclipse.swt.SWT;

import io.ckpt.ui.internal.Messages;

/** The columns of the Snapshots view, in their initial order. */
enum SnapshotColumn {
	NAME(Messages.SnapshotColumn_name, 420, SWT.LEFT),
	PROGRAM(Messages.SnapshotColumn_program, 110, SWT.LEFT),
	STOP_LOCATION(Messages.SnapshotColumn_stopLocation, 240, SWT.LEFT),
	THREADS(Messages.SnapshotColumn_threads, 65, SWT.RIGHT),
	SIZE(Messages.SnapshotColumn_size, 80, SWT.RIGHT),
	TIME(Messages.SnapshotColumn_time, 150, SWT.LEFT);

	final String title;
	final int width;
	final int alignment;

	SnapshotColumn(String title, int width, int alignment) {
		this.title = title;
		this.width = width;
		this.alignment = alignment;
	}
}
