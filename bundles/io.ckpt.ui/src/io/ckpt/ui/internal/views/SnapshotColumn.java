package io.ckpt.ui.internal.views;

import org.eclipse.swt.SWT;

import io.ckpt.ui.internal.Messages;

/** The columns of the Snapshots view, in their initial order. */
enum SnapshotColumn {
	NAME(Messages.SnapshotColumn_name, 220, SWT.LEFT),
	PROGRAM(Messages.SnapshotColumn_program, 60, SWT.LEFT),
	STOP_LOCATION(Messages.SnapshotColumn_stopLocation, 150, SWT.LEFT),
	THREADS(Messages.SnapshotColumn_threads, 60, SWT.RIGHT),
	SIZE(Messages.SnapshotColumn_size, 75, SWT.RIGHT),
	TIME(Messages.SnapshotColumn_time, 150, SWT.LEFT),
	/** What made it (breakpoint, step, manual, snappoint, automatic), and whether it is pinned. */
	ORIGIN(Messages.SnapshotColumn_origin, 110, SWT.LEFT),
	/** Its label, kept in the statefile; F2 edits it. */
	LABEL(Messages.SnapshotColumn_label, 130, SWT.LEFT),
	/** Its place in its session's timeline. */
	TIMELINE(Messages.SnapshotColumn_timeline, 180, SWT.LEFT);

	final String title;
	final int width;
	final int alignment;

	SnapshotColumn(String title, int width, int alignment) {
		this.title = title;
		this.width = width;
		this.alignment = alignment;
	}
}
