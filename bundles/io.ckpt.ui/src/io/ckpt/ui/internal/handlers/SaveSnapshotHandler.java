package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.HandlerEvent;
import org.eclipse.core.runtime.IAdaptable;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.IDebugEventSetListener;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.debug.ui.DebugUITools;
import org.eclipse.debug.ui.contexts.IDebugContextListener;
import org.eclipse.jface.viewers.ISelection;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.ISources;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.core.Snapshot;
import io.ckpt.debug.CkptDebug;
import io.ckpt.debug.Snapshots;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.views.SnapshotsView;

/**
 * Save Snapshot: saves the program of the selected C/C++ debug session, which must be suspended,
 * through ckpt's extension in its gdb, then shows the statefile in the Snapshots view. Enabled
 * only when the selection (or else the debug context) is a suspended C/C++ launch.
 */
public class SaveSnapshotHandler extends AbstractHandler {

	private final IDebugContextListener contextListener = event -> changed();
	private final IDebugEventSetListener debugListener = events -> {
		for (DebugEvent e : events) {
			if (e.getKind() == DebugEvent.SUSPEND || e.getKind() == DebugEvent.RESUME || e.getKind() == DebugEvent.TERMINATE
					|| e.getKind() == DebugEvent.CHANGE) {
				changed();
				return;
			}
		}
	};

	public SaveSnapshotHandler() {
		DebugUITools.getDebugContextManager().addDebugContextListener(contextListener);
		DebugPlugin.getDefault().addDebugEventListener(debugListener);
	}

	@Override
	public void dispose() {
		DebugUITools.getDebugContextManager().removeDebugContextListener(contextListener);
		DebugPlugin.getDefault().removeDebugEventListener(debugListener);
		super.dispose();
	}

	private void changed() {
		Display display = Display.getDefault();
		display.asyncExec(() -> fireHandlerChanged(new HandlerEvent(this, true, false)));
	}

	@Override
	public void setEnabled(Object evaluationContext) {
		Object selection = HandlerUtil.getVariable(evaluationContext, ISources.ACTIVE_CURRENT_SELECTION_NAME);
		ILaunch launch = launch(selection instanceof ISelection s ? s : null);
		setBaseEnabled(launch != null && Snapshots.canSave(launch));
	}

	/** The launch of the selection, else of the debug context. */
	static ILaunch launch(ISelection selection) {
		ILaunch launch = Selections.launch(selection);
		if (launch == null) {
			IAdaptable context = DebugUITools.getDebugContext();
			launch = Selections.launch(context);
		}
		return launch;
	}

	@Override
	public Object execute(ExecutionEvent event) {
		ILaunch launch = launch(Selections.current(event));
		if (launch == null || !Snapshots.canSave(launch)) {
			UiJobs.report("Save Snapshot", new Status(IStatus.ERROR, CkptUI.PLUGIN_ID, CkptDebug.STATUS_NOT_SUSPENDED, //$NON-NLS-1$
					"Select a C/C++ debug session that is suspended (stopped at a breakpoint) in the Debug view.", null)); //$NON-NLS-1$
			return null;
		}
		UiJobs.schedule("Save Snapshot", "Save Snapshot failed", monitor -> { //$NON-NLS-1$ //$NON-NLS-2$
			Snapshot saved = Snapshots.save(launch, monitor);
			Display.getDefault().asyncExec(() -> SnapshotsView.showAndReveal(saved.path()));
		});
		return null;
	}
}
