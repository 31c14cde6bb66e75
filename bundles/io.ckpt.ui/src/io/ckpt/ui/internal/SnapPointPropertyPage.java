package io.ckpt.ui.internal;

import org.eclipse.core.runtime.Adapters;
import org.eclipse.core.runtime.CoreException;
import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.dialogs.PropertyPage;

import io.ckpt.debug.SnapPointBreakpoint;

/**
 * The Breakpoints view's Breakpoint Properties of a snapshot point: enabled, and the gdb
 * condition that a hit must meet to save (empty: every hit).
 */
public class SnapPointPropertyPage extends PropertyPage {

	private Button enabled;
	private Text condition;

	@Override
	protected Control createContents(Composite parent) {
		noDefaultAndApplyButton();
		SnapPointBreakpoint bp = breakpoint();
		Composite area = new Composite(parent, SWT.NONE);
		area.setLayout(new GridLayout(2, false));
		enabled = new Button(area, SWT.CHECK);
		enabled.setText(Messages.SnapPointPropertyPage_enabled);
		GridDataFactory.swtDefaults().span(2, 1).applyTo(enabled);
		try {
			enabled.setSelection(bp.isEnabled());
		} catch (CoreException e) {
			enabled.setSelection(false);
		}
		new Label(area, SWT.NONE).setText(Messages.SnapPointPropertyPage_condition);
		condition = new Text(area, SWT.BORDER | SWT.SINGLE);
		condition.setText(bp.condition() == null ? "" : bp.condition()); //$NON-NLS-1$
		condition.setMessage(Messages.SnapPointPropertyPage_everyHit);
		GridDataFactory.fillDefaults().grab(true, false).hint(300, SWT.DEFAULT).applyTo(condition);
		return area;
	}

	@Override
	public boolean performOk() {
		SnapPointBreakpoint bp = breakpoint();
		try {
			bp.setCondition(condition.getText());
			bp.setEnabled(enabled.getSelection());
			return true;
		} catch (CoreException e) {
			setErrorMessage(e.getMessage());
			return false;
		}
	}

	private SnapPointBreakpoint breakpoint() {
		return Adapters.adapt(getElement(), SnapPointBreakpoint.class);
	}
}
