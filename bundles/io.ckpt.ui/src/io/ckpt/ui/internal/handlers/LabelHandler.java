package io.ckpt.ui.internal.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.handlers.HandlerUtil;

import io.ckpt.core.Annotation;
import io.ckpt.core.Snapshot;
import io.ckpt.core.SnapshotStore;
import io.ckpt.core.Statefile;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections;
import io.ckpt.ui.internal.views.SnapshotsView;

/** Label and Note...: edits the selected snapshot's label and note, which its statefile keeps. */
public class LabelHandler extends AbstractHandler {

	@Override
	public Object execute(ExecutionEvent event) {
		Snapshot s = Selections.snapshots(Selections.current(event)).stream().findFirst().orElse(null);
		if (s == null) {
			return null;
		}
		Annotation a = SnapshotStore.getDefault().cachedMetadata(s).map(Statefile::annotation).orElse(null);
		LabelDialog dialog = new LabelDialog(HandlerUtil.getActiveShell(event), s, a == null ? "" : a.label(), //$NON-NLS-1$
				a == null ? "" : a.note()); //$NON-NLS-1$
		if (dialog.open() == OK) {
			SnapshotsView.setLabel(s, dialog.label, dialog.note);
		}
		return null;
	}

	private static final int OK = IDialogConstants.OK_ID;

	/** A label (one line) and a note (free text). */
	static final class LabelDialog extends Dialog {
		private final Snapshot snapshot;
		String label;
		String note;
		private Text labelText;
		private Text noteText;

		LabelDialog(Shell shell, Snapshot snapshot, String label, String note) {
			super(shell);
			this.snapshot = snapshot;
			this.label = label;
			this.note = note;
		}

		@Override
		protected void configureShell(Shell shell) {
			super.configureShell(shell);
			shell.setText(NLS.bind(Messages.LabelHandler_title, snapshot.name()));
		}

		@Override
		protected Control createDialogArea(Composite parent) {
			Composite area = (Composite) super.createDialogArea(parent);
			area.setLayout(new GridLayout(2, false));
			new Label(area, SWT.NONE).setText(Messages.LabelHandler_label);
			labelText = new Text(area, SWT.BORDER | SWT.SINGLE);
			labelText.setText(label);
			labelText.setTextLimit(255);
			GridData one = new GridData(SWT.FILL, SWT.CENTER, true, false);
			one.widthHint = 420;
			labelText.setLayoutData(one);
			Label noteLabel = new Label(area, SWT.NONE);
			noteLabel.setText(Messages.LabelHandler_note);
			noteLabel.setLayoutData(new GridData(SWT.LEFT, SWT.TOP, false, false));
			noteText = new Text(area, SWT.BORDER | SWT.MULTI | SWT.WRAP | SWT.V_SCROLL);
			noteText.setText(note);
			GridData many = new GridData(SWT.FILL, SWT.FILL, true, true);
			many.heightHint = 120;
			noteText.setLayoutData(many);
			return area;
		}

		@Override
		protected void okPressed() {
			label = labelText.getText().replaceAll("[\\r\\n\\t]+", " ").strip(); //$NON-NLS-1$ //$NON-NLS-2$
			note = noteText.getText().replace("\r\n", "\n"); //$NON-NLS-1$ //$NON-NLS-2$
			super.okPressed();
		}
	}
}
