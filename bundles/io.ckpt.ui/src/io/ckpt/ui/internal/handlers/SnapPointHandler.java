package io.ckpt.ui.internal.handlers;

import java.nio.file.Path;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.jface.text.source.IVerticalRulerInfo;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IURIEditorInput;
import org.eclipse.ui.handlers.HandlerUtil;
import org.eclipse.ui.texteditor.ITextEditor;

import io.ckpt.debug.TimeTravel;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.UiJobs;

/**
 * Toggle Snapshot Point: at the line of the active C/C++ (or any text) editor, in the ruler's
 * context menu at the line clicked, else at the caret, makes a snapshot point in the selected
 * debug session's gdb ({@code ckpt snappoint FILE:LINE}: it saves the program at each hit and lets
 * it go on), or deletes the one there. gdb's breakpoint list shows it with the others.
 */
public class SnapPointHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		IEditorPart editor = HandlerUtil.getActiveEditor(event);
		ITextEditor text = Adapters.adapt(editor, ITextEditor.class);
		Path source = text == null ? null : sourceOf(text.getEditorInput());
		if (source == null) {
			UiJobs.report(Messages.SnapPointHandler_title,
					new Status(IStatus.ERROR, CkptUI.PLUGIN_ID, Messages.SnapPointHandler_noSource));
			return null;
		}
		IVerticalRulerInfo ruler = Adapters.adapt(editor, IVerticalRulerInfo.class);
		int line = ruler != null && ruler.getLineOfLastMouseButtonActivity() >= 0 && isRulerMenu(event)
				? ruler.getLineOfLastMouseButtonActivity() + 1
				: text.getSelectionProvider().getSelection() instanceof ITextSelection ts ? ts.getStartLine() + 1 : -1;
		if (line > 0) {
			toggle(source, line);
		}
		return null;
	}

	private static boolean isRulerMenu(ExecutionEvent event) {
		Object menu = HandlerUtil.getVariable(event, "activeMenu"); //$NON-NLS-1$
		return menu != null && String.valueOf(menu).contains("Ruler"); //$NON-NLS-1$
	}

	/** Toggles a snapshot point at FILE:LINE in the selected session, in a job. */
	public static Job toggle(Path source, int line) {
		String where = source.getFileName() + ":" + line; //$NON-NLS-1$
		return UiJobs.schedule(NLS.bind(Messages.SnapPointHandler_job, where), NLS.bind(Messages.SnapPointHandler_failed, where),
				monitor -> {
					ILaunch launch = GoBackHandler.selectedSession();
					if (launch == null) {
						throw new CoreException(new Status(IStatus.ERROR, CkptUI.PLUGIN_ID,
								Messages.SnapPointHandler_noSession));
					}
					TimeTravel.toggleSnapPoint(launch, source, line, null, monitor);
				});
	}

	private static Path sourceOf(IEditorInput input) {
		IFile file = Adapters.adapt(input, IFile.class);
		if (file != null && file.getLocation() != null) {
			return file.getLocation().toPath();
		}
		if (input instanceof IURIEditorInput uri && "file".equals(uri.getURI().getScheme())) { //$NON-NLS-1$
			return Path.of(uri.getURI());
		}
		return null;
	}
}
