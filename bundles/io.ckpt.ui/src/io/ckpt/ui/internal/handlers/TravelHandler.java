package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.ILaunch;

import io.ckpt.debug.TimeTravel;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.UiJobs;

/**
 * Previous Snapshot (Alt+[) and Next Snapshot (Alt+]): go back or forward one snapshot in the
 * timeline of the selected debug session, in the same gdb, as {@code ckpt back} and
 * {@code ckpt forward} do.
 */
public abstract class TravelHandler extends AbstractHandler {

	private final boolean back;

	TravelHandler(boolean back) {
		this.back = back;
	}

	/** Previous Snapshot. */
	public static class Previous extends TravelHandler {
		public Previous() {
			super(true);
		}
	}

	/** Next Snapshot. */
	public static class Next extends TravelHandler {
		public Next() {
			super(false);
		}
	}

	@Override
	public Object execute(ExecutionEvent event) {
		travel(back);
		return null;
	}

	/** Goes one snapshot back or forward in the selected session, in a job. */
	public static Job travel(boolean back) {
		String name = back ? Messages.TravelHandler_previous : Messages.TravelHandler_next;
		String failed = back ? Messages.TravelHandler_previousFailed : Messages.TravelHandler_nextFailed;
		return UiJobs.schedule(name, failed, monitor -> {
			ILaunch launch = GoBackHandler.selectedSession();
			if (launch == null) {
				throw new CoreException(new Status(IStatus.ERROR, CkptUI.PLUGIN_ID,
						Messages.TravelHandler_noSession));
			}
			if (back) {
				TimeTravel.previous(launch, monitor);
			} else {
				TimeTravel.next(launch, monitor);
			}
		});
	}
}
