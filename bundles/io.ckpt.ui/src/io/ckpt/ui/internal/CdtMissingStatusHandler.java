package io.ckpt.ui.internal;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.debug.core.IStatusHandler;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.statushandlers.StatusManager;

/**
 * Tells the user, when a restart found no CDT, that the program is restarted and left stopped,
 * with its pid, so that another debugger can attach.
 */
public class CdtMissingStatusHandler implements IStatusHandler {

	@Override
	public Object handleStatus(IStatus status, Object source) {
		StatusManager.getManager().handle(status, StatusManager.LOG);
		Display display = PlatformUI.getWorkbench().getDisplay();
		display.asyncExec(() -> MessageDialog.openInformation(display.getActiveShell(), Messages.CdtMissingStatusHandler_title,
				status.getMessage()));
		return null;
	}
}
