package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.SnapshotExport;

/**
 * Export Snapshot for Sharing...: packs the selected statefile for a teammate's machine
 * ({@code ckpt pack}) after asking where to and confirming that it may hold secrets
 * ({@link SnapshotExport}).
 */
public class ExportSnapshotHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		Picked statefile = Selections.firstStatefile(event, Messages.SnapshotExport_title);
		if (statefile != null) {
			SnapshotExport.export(HandlerUtil.getActiveShell(event), statefile.path());
		}
		return null;
	}
}
