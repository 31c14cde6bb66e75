package io.ckpt.ui.internal.handlers;

import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.debug.SnapshotDiff;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.views.CompareView;

/**
 * Compare Snapshots: with two statefiles of one program selected, shows what differs between
 * them in the Snapshot Comparison view: A is the one saved first. The comparison runs in a job.
 */
public class CompareHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		List<Selections.Picked> picked = Selections.statefiles(Selections.current(event));
		if (picked.size() != 2) {
			MessageDialog.openInformation(HandlerUtil.getActiveShell(event), Messages.CompareHandler_title,
					Messages.CompareHandler_selectTwo);
			return null;
		}
		Path a = picked.get(0).path();
		Path b = picked.get(1).path();
		if (savedAt(b).isBefore(savedAt(a))) {
			Path t = a;
			a = b;
			b = t;
		}
		compare(a, b);
		return null;
	}

	private static java.time.Instant savedAt(Path p) {
		SnapshotStore store = SnapshotStore.getDefault();
		return store.find(p).flatMap(store::cachedMetadata).map(Statefile::time).orElseGet(() -> {
			try {
				return java.nio.file.Files.getLastModifiedTime(p).toInstant();
			} catch (java.io.IOException e) {
				return java.time.Instant.EPOCH;
			}
		});
	}

	/** Compares A with B in a job and shows the result. */
	public static Job compare(Path a, Path b) {
		return UiJobs.schedule(NLS.bind(Messages.CompareHandler_job, a.getFileName(), b.getFileName()),
				NLS.bind(Messages.CompareHandler_failed, a.getFileName(), b.getFileName()), monitor -> {
					SnapshotDiff d = SnapshotDiff.compare(a, b, monitor);
					Display.getDefault().syncExec(() -> CompareView.showResult(a, b, d));
				});
	}
}
