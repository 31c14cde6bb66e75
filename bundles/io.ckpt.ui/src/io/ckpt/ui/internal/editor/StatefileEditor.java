package io.ckpt.ui.internal.editor;

import java.net.URI;
import java.nio.file.Path;

import org.eclipse.core.resources.IFile;
import org.eclipse.core.runtime.IPath;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.StyledText;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorSite;
import org.eclipse.ui.IPathEditorInput;
import org.eclipse.ui.IURIEditorInput;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.part.EditorPart;

import io.ckpt.core.Engine;
import io.ckpt.core.EngineException;
import io.ckpt.ui.internal.Messages;

/**
 * A read-only viewer for statefiles ({@code *.ckpt}): shows what {@code ckpt info} says about
 * the file, read in-process by the engine in a background job, or the engine's one-line reason
 * why the file is not a valid statefile.
 */
public class StatefileEditor extends EditorPart {

	private StyledText text;
	private Path path;

	@Override
	public void init(IEditorSite site, IEditorInput input) throws PartInitException {
		setSite(site);
		setInput(input);
		path = pathOf(input);
		if (path == null) {
			throw new PartInitException(NLS.bind(Messages.StatefileEditor_notLocal, input.getName()));
		}
		setPartName(input.getName());
		setTitleToolTip(path.toString());
	}

	static Path pathOf(IEditorInput input) {
		IFile file = input.getAdapter(IFile.class);
		if (file != null && file.getLocation() != null) {
			return file.getLocation().toPath();
		}
		if (input instanceof IPathEditorInput p) {
			IPath ip = p.getPath();
			return ip == null ? null : ip.toPath();
		}
		if (input instanceof IURIEditorInput u) {
			URI uri = u.getURI();
			return uri != null && "file".equals(uri.getScheme()) ? Path.of(uri) : null; //$NON-NLS-1$
		}
		return null;
	}

	@Override
	public void createPartControl(Composite parent) {
		text = new StyledText(parent, SWT.READ_ONLY | SWT.V_SCROLL | SWT.H_SCROLL);
		text.setFont(JFaceResources.getTextFont());
		text.setMargins(8, 8, 8, 8);
		text.setText(NLS.bind(Messages.StatefileEditor_reading, path));
		Job job = new Job(NLS.bind(Messages.StatefileEditor_readingJob, path.getFileName())) {
			@Override
			protected org.eclipse.core.runtime.IStatus run(IProgressMonitor monitor) {
				String shown;
				try {
					shown = Engine.describe(path);
				} catch (EngineException e) {
					shown = NLS.bind(Messages.StatefileEditor_invalid, path, e.getReason()) + "\n"; //$NON-NLS-1$
				} catch (RuntimeException e) {
					shown = NLS.bind(Messages.StatefileEditor_noEngine, e.getMessage()) + "\n"; //$NON-NLS-1$
				}
				String result = shown;
				text.getDisplay().asyncExec(() -> {
					if (!text.isDisposed()) {
						text.setText(result);
					}
				});
				return Status.OK_STATUS;
			}
		};
		job.setSystem(true);
		job.schedule();
	}

	/** The text shown (for tests). */
	public String getText() {
		return text.getText();
	}

	@Override
	public void setFocus() {
		text.setFocus();
	}

	@Override
	public void doSave(IProgressMonitor monitor) {
		// read-only
	}

	@Override
	public void doSaveAs() {
		// read-only
	}

	@Override
	public boolean isDirty() {
		return false;
	}

	@Override
	public boolean isSaveAsAllowed() {
		return false;
	}
}
