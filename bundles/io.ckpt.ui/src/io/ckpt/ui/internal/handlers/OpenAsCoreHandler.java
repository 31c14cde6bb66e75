package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.osgi.util.NLS;

import io.ckpt.debug.Snapshots;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;

/** Open as Core: opens the selected statefile in CDT's post-mortem debugger (it is a valid core file). */
public class OpenAsCoreHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		Picked p = Selections.firstStatefile(event, Messages.OpenAsCoreHandler_title);
		if (p != null) {
			UiJobs.schedule(NLS.bind(Messages.OpenAsCoreHandler_job, p.path().getFileName()),
					NLS.bind(Messages.OpenAsCoreHandler_failed, p.path().getFileName()),
					monitor -> Snapshots.openAsCore(p.path(), p.project(), monitor));
		}
		return null;
	}
}
