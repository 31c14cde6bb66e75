package io.ckpt.ui.internal.handlers;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.resources.ResourcesPlugin;
import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.jface.text.ITextSelection;
import org.eclipse.jface.text.source.IVerticalRulerInfo;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IURIEditorInput;
import org.eclipse.ui.handlers.HandlerUtil;
import org.eclipse.ui.texteditor.ITextEditor;

import io.ckpt.debug.SnapPointBreakpoint;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.UiJobs;

/**
 * Toggle Snapshot Point: at the line of the active C/C++ (or any text) editor, in the ruler's
 * context menu at the line clicked, else at the caret, makes a snapshot point (a
 * {@link SnapPointBreakpoint}: every live session's gdb saves the program at each hit and lets it
 * go on), or deletes the ones there. It is listed in the Breakpoints view and marked in the ruler.
 */
public class SnapPointHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		IEditorPart editor = HandlerUtil.getActiveEditor(event);
		ITextEditor text = Adapters.adapt(editor, ITextEditor.class);
		IFile file = text == null ? null : Adapters.adapt(text.getEditorInput(), IFile.class);
		Path source = text == null ? null : sourceOf(text.getEditorInput(), file);
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
			toggle(file != null ? file : ResourcesPlugin.getWorkspace().getRoot(), source, line);
		}
		return null;
	}

	private static boolean isRulerMenu(ExecutionEvent event) {
		Object menu = HandlerUtil.getVariable(event, "activeMenu"); //$NON-NLS-1$
		return menu != null && String.valueOf(menu).contains("Ruler"); //$NON-NLS-1$
	}

	/**
	 * Toggles the snapshot point at FILE:LINE, in a job.
	 *
	 * @param resource the file's, or the workspace root for a file outside the workspace
	 */
	public static Job toggle(IResource resource, Path source, int line) {
		String where = source.getFileName() + ":" + line; //$NON-NLS-1$
		return UiJobs.schedule(NLS.bind(Messages.SnapPointHandler_job, where), NLS.bind(Messages.SnapPointHandler_failed, where),
				monitor -> {
					List<SnapPointBreakpoint> there = SnapPointBreakpoint.at(source, line);
					if (there.isEmpty()) {
						SnapPointBreakpoint.create(resource, source, line, null);
					} else {
						DebugPlugin.getDefault().getBreakpointManager().removeBreakpoints(
								there.toArray(new IBreakpoint[0]), true);
					}
				});
	}

	private static Path sourceOf(IEditorInput input, IFile file) {
		if (file != null && file.getLocation() != null) {
			return file.getLocation().toPath();
		}
		if (input instanceof IURIEditorInput uri && "file".equals(uri.getURI().getScheme())) { //$NON-NLS-1$
			return Path.of(uri.getURI());
		}
		return null;
	}
}
