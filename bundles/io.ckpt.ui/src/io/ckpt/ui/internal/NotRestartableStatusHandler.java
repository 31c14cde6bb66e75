package io.ckpt.ui.internal;

import java.util.List;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.debug.core.IStatusHandler;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.PlatformUI;

import io.ckpt.core.PortabilityReport;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.debug.CkptDebug;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.dialogs.PortabilityDialog;
import io.ckpt.ui.internal.dialogs.PortabilityDialog.Entry;

/**
 * When Restart from Snapshot finds that a statefile cannot restart on this machine
 * ({@link CkptDebug#STATUS_NOT_RESTARTABLE}): shows its portability report, with the remedies,
 * instead of restarting, and tells the launch not to go on.
 */
public class NotRestartableStatusHandler implements IStatusHandler {

	@Override
	public Object handleStatus(IStatus status, Object source) {
		if (source instanceof PortabilityReport report) {
			String project = SnapshotStore.getDefault().find(report.statefile()).map(Snapshot::project).orElse(null);
			String message = NLS.bind(Messages.NotRestartableStatusHandler_message, report.statefile().getFileName());
			PlatformUI.getWorkbench().getDisplay().asyncExec(
					() -> PortabilityDialog.show(message, List.of(new Entry(new Picked(report.statefile(), project), report))));
			return Boolean.FALSE;
		}
		return Boolean.TRUE; // nothing to show: the engine refuses in its own words
	}
}
