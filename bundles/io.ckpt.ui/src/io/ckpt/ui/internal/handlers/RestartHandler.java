package io.ckpt.ui.internal.handlers;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.PathMapping;
import io.ckpt.debug.Snapshots;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;

/**
 * Restart from Snapshot: restarts the selected statefile stopped at the saved place and attaches
 * CDT's debugger to it, in a job that shows progress and can be cancelled.
 */
public class RestartHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		Picked p = Selections.firstStatefile(event, Messages.RestartHandler_title);
		if (p != null) {
			restart(p);
		}
		return null;
	}

	/** Restarts one statefile in a job. */
	public static void restart(Picked p) {
		restart(p, List.of());
	}

	/** Restarts one statefile in a job, finding missing files and directories where {@code mappings} say. */
	public static void restart(Picked p, List<PathMapping> mappings) {
		UiJobs.schedule(NLS.bind(Messages.RestartHandler_job, p.path().getFileName()),
				NLS.bind(Messages.RestartHandler_failed, p.path().getFileName()),
				monitor -> Snapshots.restart(p.path(), p.project(), mappings, monitor));
	}
}
