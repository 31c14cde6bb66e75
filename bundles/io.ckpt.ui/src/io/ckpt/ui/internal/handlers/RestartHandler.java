package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;

import io.ckpt.debug.Snapshots;
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
		Picked p = Selections.firstStatefile(event, "Restart from Snapshot"); //$NON-NLS-1$
		if (p != null) {
			restart(p);
		}
		return null;
	}

	/** Restarts one statefile in a job. */
	public static void restart(Picked p) {
		UiJobs.schedule("Restart from Snapshot " + p.path().getFileName(), //$NON-NLS-1$
				"Could not restart " + p.path().getFileName(), //$NON-NLS-1$
				monitor -> Snapshots.restart(p.path(), p.project(), monitor));
	}
}
