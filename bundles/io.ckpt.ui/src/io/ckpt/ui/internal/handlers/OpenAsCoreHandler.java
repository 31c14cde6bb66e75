package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;

import io.ckpt.debug.Snapshots;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;

/** Open as Core: opens the selected statefile in CDT's post-mortem debugger (it is a valid core file). */
public class OpenAsCoreHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		Picked p = Selections.firstStatefile(event, "Open as Core"); //$NON-NLS-1$
		if (p != null) {
			UiJobs.schedule("Open " + p.path().getFileName() + " as Core", //$NON-NLS-1$ //$NON-NLS-2$
					"Could not open " + p.path().getFileName() + " as a core file", //$NON-NLS-1$ //$NON-NLS-2$
					monitor -> Snapshots.openAsCore(p.path(), p.project(), monitor));
		}
		return null;
	}
}
