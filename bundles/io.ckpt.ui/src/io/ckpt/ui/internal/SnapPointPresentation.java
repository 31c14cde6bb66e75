package io.ckpt.ui.internal;

import java.nio.file.Path;

import org.eclipse.core.filesystem.EFS;
import org.eclipse.core.resources.IFile;
import org.eclipse.core.resources.IMarker;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.IValue;
import org.eclipse.debug.ui.IDebugModelPresentation;
import org.eclipse.debug.ui.IValueDetailListener;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.jface.resource.ResourceLocator;
import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Image;
import org.eclipse.ui.IEditorDescriptor;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.part.FileEditorInput;
import org.eclipse.ui.ide.FileStoreEditorInput;
import org.eclipse.ui.ide.IDE;

import io.ckpt.debug.SnapPointBreakpoint;
import io.ckpt.ui.CkptUI;

/**
 * How ckpt's debug model looks in the Breakpoints view and the editors' rulers (Platform Debug
 * asks the presentation registered for a breakpoint's model identifier): a snapshot point is
 * "loop.c [line: 22] - save a snapshot and continue", with its condition, and opens its file.
 */
public class SnapPointPresentation extends LabelProvider implements IDebugModelPresentation {

	private final LocalResourceManager images = new LocalResourceManager(JFaceResources.getResources());
	private final ImageDescriptor icon = ResourceLocator.imageDescriptorFromBundle(CkptUI.PLUGIN_ID, "icons/save_snapshot.png") //$NON-NLS-1$
			.orElse(ImageDescriptor.getMissingImageDescriptor());

	@Override
	public String getText(Object element) {
		SnapPointBreakpoint bp = snapPoint(element);
		if (bp == null) {
			return null;
		}
		Path source = bp.source();
		String text = NLS.bind(Messages.SnapPointPresentation_label, source == null ? "?" : source.getFileName(), //$NON-NLS-1$
				Integer.toString(bp.getMarker().getAttribute(IMarker.LINE_NUMBER, 0)));
		return bp.condition() == null ? text : NLS.bind(Messages.SnapPointPresentation_withCondition, text, bp.condition());
	}

	@Override
	public Image getImage(Object element) {
		SnapPointBreakpoint bp = snapPoint(element);
		if (bp == null) {
			return null;
		}
		boolean on;
		try {
			on = bp.isEnabled() && DebugPlugin.getDefault().getBreakpointManager().isEnabled();
		} catch (CoreException e) {
			on = false;
		}
		return images.create(on ? icon : ImageDescriptor.createWithFlags(icon, SWT.IMAGE_DISABLE));
	}

	@Override
	public IEditorInput getEditorInput(Object element) {
		SnapPointBreakpoint bp = snapPoint(element);
		if (bp == null) {
			return null;
		}
		if (bp.getMarker().getResource() instanceof IFile file) {
			return new FileEditorInput(file);
		}
		Path source = bp.source();
		return source == null ? null : new FileStoreEditorInput(EFS.getLocalFileSystem().getStore(source.toUri()));
	}

	@Override
	public String getEditorId(IEditorInput input, Object element) {
		try {
			IEditorDescriptor editor = IDE.getEditorDescriptor(input.getName(), true, false);
			return editor == null ? null : editor.getId();
		} catch (PartInitException e) {
			return null;
		}
	}

	@Override
	public void setAttribute(String attribute, Object value) {
		// nothing to configure
	}

	@Override
	public void computeDetail(IValue value, IValueDetailListener listener) {
		listener.detailComputed(value, ""); // ckpt's model has no values //$NON-NLS-1$
	}

	@Override
	public void dispose() {
		images.dispose();
		super.dispose();
	}

	private static SnapPointBreakpoint snapPoint(Object element) {
		if (element instanceof SnapPointBreakpoint bp) {
			return bp.getMarker() != null && bp.getMarker().exists() ? bp : null;
		}
		if (element instanceof IMarker marker) {
			IBreakpoint b = DebugPlugin.getDefault().getBreakpointManager().getBreakpoint(marker);
			return b instanceof SnapPointBreakpoint bp ? bp : null;
		}
		return null;
	}
}
