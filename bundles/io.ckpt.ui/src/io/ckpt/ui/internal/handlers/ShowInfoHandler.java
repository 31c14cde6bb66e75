package io.ckpt.ui.internal.handlers;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.filesystem.EFS;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.handlers.HandlerUtil;
import org.eclipse.ui.ide.FileStoreEditorInput;

import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;

/** Show Info: opens the selected statefile in the read-only statefile viewer ({@code ckpt info}). */
public class ShowInfoHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		List<Picked> picked = Selections.statefiles(Selections.current(event));
		IWorkbenchPage page = HandlerUtil.getActiveWorkbenchWindow(event).getActivePage();
		for (Picked p : picked) {
			try {
				page.openEditor(new FileStoreEditorInput(EFS.getLocalFileSystem().getStore(p.path().toUri())),
						CkptUI.STATEFILE_EDITOR_ID);
			} catch (CoreException e) {
				UiJobs.report(NLS.bind(Messages.ShowInfoHandler_failed, p.path().getFileName()), e.getStatus());
			}
		}
		return null;
	}
}
