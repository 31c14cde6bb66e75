package io.ckpt.ui.internal.handlers;

import java.nio.file.Path;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.osgi.util.NLS;

import io.ckpt.debug.TimeTravel;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.UiJobs;

/**
 * Go Back to Snapshot: replaces the program of a debug session with the one restarted from the
 * selected snapshot, inside the same gdb (the extension's restart), so the Debug view entry,
 * breakpoints and console stay and the debugger lands in the saved thread and frame. The
 * session is the one whose timeline holds the snapshot, else the debug session selected.
 */
public class GoBackHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		Picked p = Selections.firstStatefile(event, Messages.GoBackHandler_title);
		if (p != null) {
			goBack(p.path());
		}
		return null;
	}

	/** Goes back to a statefile in a job. */
	public static Job goBack(Path statefile) {
		return UiJobs.schedule(NLS.bind(Messages.GoBackHandler_job, statefile.getFileName()),
				NLS.bind(Messages.GoBackHandler_failed, statefile.getFileName()),
				monitor -> TimeTravel.goBack(sessionFor(statefile), statefile, monitor));
	}

	/** The session to go back in: the one whose timeline holds the statefile, else the selected one. */
	static ILaunch sessionFor(Path statefile) throws CoreException {
		ILaunch launch = TimeTravel.sessionOf(statefile);
		if (launch == null) {
			launch = selectedSession();
		}
		if (launch == null) {
			throw new CoreException(new Status(IStatus.ERROR, CkptUI.PLUGIN_ID, Messages.GoBackHandler_noSession));
		}
		return launch;
	}

	/** The followed debug session selected in the Debug view, else the only one there is. */
	static ILaunch selectedSession() {
		ILaunch selected = Selections.launch(DebugUITools.getDebugContext());
		if (selected != null && TimeTravel.sessions().contains(selected)) {
			return selected;
		}
		return TimeTravel.sessions().size() == 1 ? TimeTravel.sessions().get(0) : null;
	}
}
