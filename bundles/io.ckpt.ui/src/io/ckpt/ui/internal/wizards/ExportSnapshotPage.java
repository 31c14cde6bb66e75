package io.ckpt.ui.internal.wizards;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.jface.layout.GridDataFactory;
import org.eclipse.jface.wizard.WizardPage;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Text;

import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.SnapshotExport;
import io.ckpt.ui.internal.handlers.ImportSnapshotHandler;

/**
 * The page of {@link ExportSnapshotWizard}: the statefile, where its packed copy goes (beside it
 * as {@code NAME-packed.ckpt} until the user says otherwise), and what that copy will hold.
 */
final class ExportSnapshotPage extends WizardPage {

	private final Path initial;
	private Text statefile;
	private Text destination;
	private boolean destinationEdited;

	ExportSnapshotPage(Path initial) {
		super("export"); //$NON-NLS-1$
		this.initial = initial;
		setTitle(Messages.ExportSnapshotWizard_pageTitle);
		setDescription(Messages.ExportSnapshotWizard_pageDescription);
	}

	@Override
	public void createControl(Composite parent) {
		Composite c = new Composite(parent, SWT.NONE);
		c.setLayout(new GridLayout(3, false));

		new Label(c, SWT.NONE).setText(Messages.ExportSnapshotWizard_statefile);
		statefile = new Text(c, SWT.BORDER | SWT.SINGLE);
		GridDataFactory.fillDefaults().grab(true, false).hint(420, SWT.DEFAULT).applyTo(statefile);
		Button browseStatefile = new Button(c, SWT.PUSH);
		browseStatefile.setText(Messages.ExportSnapshotWizard_browse);
		browseStatefile.addListener(SWT.Selection, e -> {
			List<Path> picked = ImportSnapshotHandler.chooser.choose(getShell());
			if (!picked.isEmpty()) {
				statefile.setText(picked.get(0).toString());
			}
		});

		new Label(c, SWT.NONE).setText(Messages.ExportSnapshotWizard_destination);
		destination = new Text(c, SWT.BORDER | SWT.SINGLE);
		GridDataFactory.fillDefaults().grab(true, false).applyTo(destination);
		Button browseDestination = new Button(c, SWT.PUSH);
		browseDestination.setText(Messages.ExportSnapshotWizard_browseDestination);
		browseDestination.addListener(SWT.Selection, e -> {
			Path from = path(statefile.getText());
			if (from == null) {
				return;
			}
			Path to = SnapshotExport.chooser.choose(getShell(), from, SnapshotExport.defaultDestination(from));
			if (to != null) {
				destinationEdited = true;
				destination.setText(to.toString());
			}
		});

		Label secrets = new Label(c, SWT.WRAP);
		secrets.setText(Messages.ExportSnapshotWizard_secrets);
		GridDataFactory.fillDefaults().span(3, 1).grab(true, false).hint(420, SWT.DEFAULT).indent(0, 12).applyTo(secrets);

		statefile.addListener(SWT.Modify, e -> {
			Path from = path(statefile.getText());
			if (!destinationEdited && from != null && from.getFileName() != null) {
				destination.setText(SnapshotExport.defaultDestination(from).toString());
			}
			validate();
		});
		destination.addListener(SWT.KeyDown, e -> destinationEdited = true);
		destination.addListener(SWT.Modify, e -> validate());
		if (initial != null) {
			statefile.setText(initial.toString());
		}
		validate();
		setControl(c);
	}

	/** The statefile to pack; valid once the page is complete. */
	Path statefile() {
		return path(statefile.getText());
	}

	/** Where the packed statefile goes; valid once the page is complete. */
	Path destination() {
		return path(destination.getText());
	}

	private void validate() {
		Path from = statefile();
		Path to = destination();
		String error = null;
		if (from == null || !Files.isRegularFile(from)) {
			error = statefile.getText().isBlank() ? null : Messages.ExportSnapshotWizard_noStatefile;
			setPageComplete(false);
		} else if (to == null || !SnapshotExport.canWriteInto(to)) {
			error = Messages.ExportSnapshotWizard_noDirectory;
			setPageComplete(false);
		} else {
			setPageComplete(true);
		}
		setErrorMessage(error);
	}

	private static Path path(String text) {
		if (text == null || text.isBlank()) {
			return null;
		}
		try {
			return Path.of(text.strip()).toAbsolutePath();
		} catch (InvalidPathException e) {
			return null;
		}
	}
}
