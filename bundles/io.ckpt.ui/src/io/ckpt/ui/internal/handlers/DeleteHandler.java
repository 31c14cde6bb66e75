package io.ckpt.ui.internal.handlers;

import java.io.IOException;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.UiJobs;

/** Delete: deletes the selected statefiles from disk, after asking. */
public class DeleteHandler extends AbstractHandler {

	/** Tests set this to skip the confirmation dialog. */
	public static volatile boolean confirm = true;

	@Override
	public Object execute(ExecutionEvent event) {
		List<Snapshot> snapshots = Selections.snapshots(Selections.current(event));
		if (snapshots.isEmpty()) {
			return null;
		}
		String what = snapshots.size() == 1 ? NLS.bind(Messages.DeleteHandler_one, snapshots.get(0).path().getFileName())
				: NLS.bind(Messages.DeleteHandler_many, Integer.toString(snapshots.size()));
		if (confirm && !MessageDialog.openConfirm(HandlerUtil.getActiveShell(event), Messages.DeleteHandler_title,
				NLS.bind(Messages.DeleteHandler_question, what))) {
			return null;
		}
		UiJobs.schedule(NLS.bind(Messages.DeleteHandler_job, what), NLS.bind(Messages.DeleteHandler_failed, what), monitor -> {
			try {
				SnapshotStore.getDefault().delete(snapshots);
			} catch (IOException e) {
				throw new CoreException(new Status(IStatus.ERROR, CkptUI.PLUGIN_ID, String.valueOf(e.getMessage()), e));
			}
		});
		return null;
	}
}
