package io.ckpt.ui.internal.handlers;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.debug.internal.Sessions;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * Show in Snapshots: opens the Snapshots view and selects the selected statefile, or the
 * statefiles of the selected debug session.
 */
public class ShowInSnapshotsHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		ISelection selection = Selections.current(event);
		List<Picked> picked = Selections.statefiles(selection);
		if (!picked.isEmpty()) {
			SnapshotsView.showAndReveal(picked.get(0).path());
			return null;
		}
		ILaunch launch = Selections.launch(selection);
		if (launch != null) {
			SnapshotsView.showAndRevealSession(Sessions.origin(launch).session());
		} else {
			SnapshotsView.showAndReveal(null);
		}
		return null;
	}
}
