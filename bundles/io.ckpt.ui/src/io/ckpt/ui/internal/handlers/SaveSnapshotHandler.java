package io.ckpt.ui.internal.handlers;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.core.Snapshot;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.Snapshots;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * Save Snapshot: saves the program of the selected C/C++ debug session, which must be suspended,
 * through ckpt's extension in its gdb, then shows the statefile in the Snapshots view. plugin.xml
 * enables it for such a session in the selection, or else in the debug context; this handler
 * saves the first one it finds in the same places. When the engine refuses because the program
 * holds something restart cannot rebuild, the error offers Save Anyway.
 */
public class SaveSnapshotHandler extends AbstractHandler {

	/** The variable of the debug context in the evaluation context (Platform Debug's source provider). */
	private static final String DEBUG_CONTEXT = "debugContext"; //$NON-NLS-1$

	@Override
	public Object execute(ExecutionEvent event) {
		ILaunch launch = savableLaunch(event);
		if (launch == null) {
			UiJobs.report(Messages.SaveSnapshotHandler_title, new Status(IStatus.ERROR, CkptUI.PLUGIN_ID,
					CkptDebug.STATUS_NOT_SUSPENDED, Messages.SaveSnapshotHandler_notSuspended, null));
			return null;
		}
		schedule(launch, false);
		return null;
	}

	/**
	 * Saves in a job and shows the statefile. A refusal of what restart cannot rebuild is offered
	 * to be saved anyway ({@link #offerSaveAnyway}).
	 */
	private static void schedule(ILaunch launch, boolean allowUnrestorable) {
		UiJobs.schedule(Messages.SaveSnapshotHandler_title, Messages.SaveSnapshotHandler_failed, monitor -> {
			Snapshot saved;
			try {
				saved = Snapshots.save(launch, allowUnrestorable, monitor);
			} catch (CoreException e) {
				if (allowUnrestorable || e.getStatus().getCode() != CkptDebug.STATUS_UNRESTORABLE) {
					throw e;
				}
				Display.getDefault().asyncExec(() -> offerSaveAnyway(launch, e.getStatus()));
				return;
			}
			Display.getDefault().asyncExec(() -> SnapshotsView.showAndReveal(saved.path()));
		});
	}

	/** The engine's refusal, with Save Anyway, which saves again allowing what restart cannot rebuild. */
	private static void offerSaveAnyway(ILaunch launch, IStatus refusal) {
		Shell shell = Display.getDefault().getActiveShell();
		MessageDialog dialog = new MessageDialog(shell, Messages.SaveSnapshotHandler_failed, null,
				NLS.bind(Messages.SaveSnapshotHandler_unrestorable, refusal.getMessage()), MessageDialog.ERROR, 1,
				Messages.SaveSnapshotHandler_saveAnyway, IDialogConstants.CANCEL_LABEL);
		if (dialog.open() == 0) {
			schedule(launch, true);
		}
	}

	/** The first launch that can be saved: of the selection, else of the debug context. */
	private static ILaunch savableLaunch(ExecutionEvent event) {
		List<ILaunch> candidates = new ArrayList<>(Selections.launches(Selections.current(event)));
		Object context = HandlerUtil.getVariable(event, DEBUG_CONTEXT);
		if (context instanceof ISelection s) {
			candidates.addAll(Selections.launches(s));
		} else if (DebugUITools.getDebugContext() != null) {
			candidates.addAll(Selections.launches(new StructuredSelection(DebugUITools.getDebugContext())));
		}
		return candidates.stream().filter(Snapshots::canSave).findFirst().orElse(null);
	}
}
