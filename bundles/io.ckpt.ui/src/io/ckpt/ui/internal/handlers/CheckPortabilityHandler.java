package io.ckpt.ui.internal.handlers;

import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.osgi.util.NLS;
import org.eclipse.ui.PlatformUI;

import io.ckpt.core.Engine;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.dialogs.PortabilityDialog;
import io.ckpt.ui.internal.dialogs.PortabilityDialog.Entry;

/**
 * Check Portability: runs the portability check ({@code ckpt check}) on the selected statefiles in
 * a job and shows the report, item by item with remedies.
 */
public class CheckPortabilityHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		if (Selections.firstStatefile(event, Messages.CheckPortabilityHandler_title) != null) {
			check(Selections.statefiles(Selections.current(event)));
		}
		return null;
	}

	/** Checks statefiles in a job, then shows their reports. */
	public static void check(List<Picked> statefiles) {
		String name = statefiles.size() == 1 ? statefiles.get(0).path().getFileName().toString()
				: NLS.bind(Messages.PortabilityDialog_statefiles, Integer.toString(statefiles.size()));
		UiJobs.schedule(NLS.bind(Messages.CheckPortabilityHandler_job, name), NLS.bind(Messages.CheckPortabilityHandler_failed, name),
				monitor -> {
					SubMonitor sub = SubMonitor.convert(monitor, statefiles.size());
					List<Entry> entries = new ArrayList<>();
					for (Picked p : statefiles) {
						sub.subTask(NLS.bind(Messages.PortabilityDialog_checking, p.path().getFileName()));
						entries.add(new Entry(p, Engine.check(p.path())));
						sub.worked(1);
					}
					PlatformUI.getWorkbench().getDisplay().asyncExec(() -> PortabilityDialog.show(null, entries));
				});
	}
}
