package io.ckpt.ui.internal;

import java.util.concurrent.atomic.AtomicBoolean;

import org.eclipse.core.expressions.PropertyTester;
import org.eclipse.debug.core.DebugEvent;
import org.eclipse.debug.core.DebugPlugin;
import org.eclipse.debug.core.ILaunch;
import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.services.IEvaluationService;

import io.ckpt.debug.Snapshots;

/**
 * {@value #CAN_SAVE_SNAPSHOT}: whether an element of the Debug view (a launch, a debug element, a
 * process, or CDT's elements, which adapt to a launch) belongs to a C/C++ debug session whose
 * program is stopped, so that Save Snapshot applies. The platform cannot tell that itself: it
 * comes from /proc. Expressions that use it are evaluated again when a debug session suspends,
 * resumes or ends.
 */
public class LaunchPropertyTester extends PropertyTester {

	/** The property, with its namespace, as expressions in plugin.xml name it. */
	public static final String CAN_SAVE_SNAPSHOT = "io.ckpt.ui.canSaveSnapshot"; //$NON-NLS-1$

	private static final String PROPERTY = "canSaveSnapshot"; //$NON-NLS-1$

	private static final AtomicBoolean FOLLOWING = new AtomicBoolean();

	public LaunchPropertyTester() {
		if (FOLLOWING.compareAndSet(false, true)) {
			DebugPlugin.getDefault().addDebugEventListener(events -> {
				for (DebugEvent e : events) {
					int kind = e.getKind();
					if (kind == DebugEvent.SUSPEND || kind == DebugEvent.RESUME || kind == DebugEvent.TERMINATE
							|| kind == DebugEvent.CHANGE) {
						evaluateAgain();
						return;
					}
				}
			});
		}
	}

	@Override
	public boolean test(Object receiver, String property, Object[] args, Object expectedValue) {
		if (!PROPERTY.equals(property)) {
			return false;
		}
		ILaunch launch = Selections.launch(receiver);
		return launch != null && Snapshots.canSave(launch);
	}

	private static void evaluateAgain() {
		if (!PlatformUI.isWorkbenchRunning()) {
			return;
		}
		Display display = PlatformUI.getWorkbench().getDisplay();
		display.asyncExec(() -> {
			IEvaluationService evaluation = PlatformUI.getWorkbench().getService(IEvaluationService.class);
			if (evaluation != null) {
				evaluation.requestEvaluation(CAN_SAVE_SNAPSHOT);
			}
		});
	}
}
