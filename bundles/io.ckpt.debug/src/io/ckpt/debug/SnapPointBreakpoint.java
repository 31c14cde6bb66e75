package io.ckpt.debug;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.resources.IMarker;
import org.eclipse.core.resources.IResource;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IPath;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.model.IBreakpoint;
import org.eclipse.debug.core.model.LineBreakpoint;

import io.ckpt.debug.internal.SnapPointSync;

/**
 * A snapshot point as an Eclipse breakpoint: a line breakpoint of ckpt's model that every live
 * session's gdb gets as a {@code ckpt snappoint} (it saves the program at each hit where its
 * condition holds, and lets it go on), while it is enabled and breakpoints are not skipped. It is
 * a marker on the source file, or on the workspace root with the file's path in
 * {@link #ATTR_PATH} for a file outside the workspace, and is kept across sessions and restarts
 * of Eclipse.
 */
public final class SnapPointBreakpoint extends LineBreakpoint {

	public static final String MARKER_TYPE = CkptDebug.PLUGIN_ID + ".snapPointMarker"; //$NON-NLS-1$
	/** The gdb expression that must hold for a hit to save; absent or empty: every hit. */
	public static final String ATTR_CONDITION = CkptDebug.PLUGIN_ID + ".condition"; //$NON-NLS-1$
	/** The source file's absolute path in the file system. */
	public static final String ATTR_PATH = CkptDebug.PLUGIN_ID + ".path"; //$NON-NLS-1$

	/** For the breakpoint manager, which makes breakpoints from their markers. */
	public SnapPointBreakpoint() {
	}

	/**
	 * Makes a snapshot point at a line of a source file and registers it with the breakpoint
	 * manager (which makes every live session's gdb get it).
	 *
	 * @param resource  the file, or the workspace root for a file outside the workspace
	 * @param source    the file's absolute path
	 * @param condition {@code null} or empty for every hit
	 */
	public static SnapPointBreakpoint create(IResource resource, Path source, int line, String condition)
			throws CoreException {
		SnapPointSync.start();
		Map<String, Object> attributes = new HashMap<>();
		attributes.put(IBreakpoint.ID, CkptDebug.PLUGIN_ID);
		attributes.put(IBreakpoint.ENABLED, Boolean.TRUE);
		attributes.put(IBreakpoint.PERSISTED, Boolean.TRUE);
		attributes.put(IMarker.LINE_NUMBER, Integer.valueOf(line));
		attributes.put(IMarker.MESSAGE, source.getFileName() + ":" + line); //$NON-NLS-1$
		attributes.put(ATTR_PATH, source.toAbsolutePath().toString());
		if (condition != null && !condition.isBlank()) {
			attributes.put(ATTR_CONDITION, condition.strip());
		}
		SnapPointBreakpoint bp = new SnapPointBreakpoint();
		bp.setMarker(resource.createMarker(MARKER_TYPE, attributes));
		DebugPlugin.getDefault().getBreakpointManager().addBreakpoint(bp);
		return bp;
	}

	/** The registered snapshot points at that line of that file. */
	public static List<SnapPointBreakpoint> at(Path source, int line) {
		List<SnapPointBreakpoint> found = new ArrayList<>();
		for (SnapPointBreakpoint bp : all()) {
			if (source.toAbsolutePath().equals(bp.source()) && bp.getMarker().getAttribute(IMarker.LINE_NUMBER, -1) == line) {
				found.add(bp);
			}
		}
		return found;
	}

	/** Every registered snapshot point. */
	public static List<SnapPointBreakpoint> all() {
		List<SnapPointBreakpoint> found = new ArrayList<>();
		for (IBreakpoint b : DebugPlugin.getDefault().getBreakpointManager().getBreakpoints(CkptDebug.PLUGIN_ID)) {
			if (b instanceof SnapPointBreakpoint bp && bp.getMarker() != null && bp.getMarker().exists()) {
				found.add(bp);
			}
		}
		return found;
	}

	@Override
	public String getModelIdentifier() {
		return CkptDebug.PLUGIN_ID;
	}

	/** The source file's absolute path, or {@code null} when the marker is gone. */
	public Path source() {
		IMarker marker = getMarker();
		if (marker == null || !marker.exists()) {
			return null;
		}
		String path = marker.getAttribute(ATTR_PATH, ""); //$NON-NLS-1$
		if (!path.isEmpty()) {
			return Path.of(path);
		}
		IPath location = marker.getResource().getLocation();
		return location == null ? null : location.toPath();
	}

	/** The condition, or {@code null} for every hit. */
	public String condition() {
		IMarker marker = getMarker();
		String c = marker == null ? "" : marker.getAttribute(ATTR_CONDITION, "").strip(); //$NON-NLS-1$ //$NON-NLS-2$
		return c.isEmpty() ? null : c;
	}

	/** Sets the condition ({@code null} or empty: every hit); sessions' gdbs follow. */
	public void setCondition(String condition) throws CoreException {
		setAttribute(ATTR_CONDITION, condition == null ? "" : condition.strip()); //$NON-NLS-1$
	}

	/**
	 * Where gdb puts it: the file's name and the line, as gdb's breakpoints on a file are usually
	 * given (it also finds the file when the program was built elsewhere).
	 */
	public String gdbLocation() {
		Path source = source();
		int line = getMarker() == null ? -1 : getMarker().getAttribute(IMarker.LINE_NUMBER, -1);
		return source == null || line <= 0 ? null : source.getFileName() + ":" + line; //$NON-NLS-1$
	}
}
