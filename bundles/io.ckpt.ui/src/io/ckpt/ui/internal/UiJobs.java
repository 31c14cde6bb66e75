package io.ckpt.ui.internal;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.jobs.Job;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.statushandlers.StatusManager;

import io.ckpt.ui.CkptUI;

/**
 * Runs engine and debugger work in user jobs (with progress, cancellable), never on the UI
 * thread, and reports failures with their one-line reason in a dialog and in the error log.
 */
public final class UiJobs {

	/** The work of a job. */
	@FunctionalInterface
	public interface Work {
		void run(IProgressMonitor monitor) throws CoreException;
	}

	private UiJobs() {
	}

	/** Schedules {@code work} as a user job named {@code name}; a failure is reported as {@code what}. */
	public static Job schedule(String name, String what, Work work) {
		Job job = new Job(name) {
			@Override
			protected IStatus run(IProgressMonitor monitor) {
				try {
					work.run(monitor);
				} catch (OperationCanceledException e) {
					return Status.CANCEL_STATUS;
				} catch (CoreException e) {
					report(what, e.getStatus());
				} catch (RuntimeException e) {
					report(what, new Status(IStatus.ERROR, CkptUI.PLUGIN_ID, String.valueOf(e.getMessage()), e));
				}
				return Status.OK_STATUS;
			}

			@Override
			public boolean belongsTo(Object family) {
				return family == CkptUI.JOB_FAMILY;
			}
		};
		job.setUser(true);
		job.schedule();
		return job;
	}

	/**
	 * Shows a failure in a dialog and writes it to the error log. The dialog's message is
	 * {@code what}; its details carry the reason.
	 */
	public static void report(String what, IStatus reason) {
		IStatus status = reason;
		if (what != null && !what.isEmpty() && !reason.getMessage().startsWith(what)) {
			status = new Status(reason.getSeverity(), reason.getPlugin(), reason.getCode(),
					NLS.bind(Messages.UiJobs_failure, what, reason.getMessage()), reason.getException());
		}
		StatusManager.getManager().handle(status, StatusManager.SHOW | StatusManager.LOG);
	}
}
