package io.ckpt.ui.internal.dialogs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.jface.dialogs.Dialog;
import org.eclipse.jface.dialogs.IDialogConstants;
import org.eclipse.jface.dialogs.InputDialog;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.jface.resource.JFaceResources;
import org.eclipse.jface.resource.LocalResourceManager;
import org.eclipse.jface.resource.ResourceLocator;
import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ITableLabelProvider;
import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.jface.window.Window;
import org.eclipse.osgi.util.NLS;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Shell;
import org.eclipse.swt.widgets.TabFolder;
import org.eclipse.swt.widgets.TabItem;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.Text;
import org.eclipse.ui.ISharedImages;
import org.eclipse.ui.PlatformUI;

import io.ckpt.core.CheckStatus;
import io.ckpt.core.Engine;
import io.ckpt.core.PathMapping;
import io.ckpt.core.PortabilityCheck;
import io.ckpt.core.PortabilityReport;
import io.ckpt.ui.CkptUI;
import io.ckpt.ui.internal.Messages;
import io.ckpt.ui.internal.Selections.Picked;
import io.ckpt.ui.internal.UiJobs;
import io.ckpt.ui.internal.handlers.RestartHandler;

/**
 * The portability report of one or more statefiles ({@link Engine#check}): for each, a summary
 * line ("restart can work here", or how many problems keep it from working) and a table of every
 * check with its status, area, subject, state and remedy, problems first; the selected check is
 * shown in full below the table. <em>Check Again</em> runs the checks again (after following a
 * remedy), <em>Restart</em> restarts the statefile shown once nothing keeps it from working.
 * <p>
 * Not modal, and {@link #open()} returns at once: the report stays open beside the workbench
 * while the user follows its remedies.
 */
public final class PortabilityDialog extends Dialog {

	/** A statefile's report, and what a restart of it needs. */
	public record Entry(Picked statefile, PortabilityReport report) {
	}

	/** The table's columns, in order, each with the most it takes of the width at first. */
	public enum Column {
		STATUS(Messages.PortabilityDialog_columnStatus, 110), AREA(Messages.PortabilityDialog_columnArea, 110),
		SUBJECT(Messages.PortabilityDialog_columnSubject, 380), STATE(Messages.PortabilityDialog_columnState, 400),
		REMEDY(Messages.PortabilityDialog_columnRemedy, 640);

		final String title;
		final int maxWidth;

		Column(String title, int maxWidth) {
			this.title = title;
			this.maxWidth = maxWidth;
		}
	}

	private static final int CHECK_AGAIN_ID = IDialogConstants.CLIENT_ID + 1;
	private static final int RESTART_ID = IDialogConstants.CLIENT_ID + 2;
	private static final int RESTART_MAPPED_ID = IDialogConstants.CLIENT_ID + 3;

	private final String message;
	private final List<Entry> entries;
	private final List<Page> pages = new ArrayList<>();
	private LocalResourceManager resources;
	private Image okImage;
	private TabFolder tabs;

	/** The controls that show one entry. */
	private final class Page {
		boolean fitted;
		Label icon;
		Label summary;
		TableViewer table;
		Text details;
		TabItem tab;
	}

	/**
	 * @param parent  the workbench window's shell
	 * @param message what led to the report (an import, a refused restart); may be {@code null}
	 * @param entries the reports, one per statefile
	 */
	public PortabilityDialog(Shell parent, String message, List<Entry> entries) {
		super(parent);
		this.message = message;
		this.entries = new ArrayList<>(entries);
		setShellStyle(SWT.DIALOG_TRIM | SWT.RESIZE | SWT.MODELESS);
		setBlockOnOpen(false);
	}

	/** Opens a report beside the workbench window (on the UI thread). */
	public static PortabilityDialog show(String message, List<Entry> entries) {
		Shell parent = PlatformUI.getWorkbench().getActiveWorkbenchWindow() != null
				? PlatformUI.getWorkbench().getActiveWorkbenchWindow().getShell()
				: PlatformUI.getWorkbench().getDisplay().getActiveShell();
		PortabilityDialog dialog = new PortabilityDialog(parent, message, entries);
		dialog.open();
		return dialog;
	}

	/** The reports shown, in order (for tests). */
	public List<Entry> entries() {
		return List.copyOf(entries);
	}

	/** The table of entry {@code i} (for tests). */
	public Table table(int i) {
		return pages.get(i).table.getTable();
	}

	/** The summary line of entry {@code i} (for tests). */
	public String summary(int i) {
		return pages.get(i).summary.getText();
	}

	@Override
	protected void configureShell(Shell shell) {
		super.configureShell(shell);
		shell.setText(entries.size() == 1
				? NLS.bind(Messages.PortabilityDialog_title, entries.get(0).statefile().path().getFileName())
				: NLS.bind(Messages.PortabilityDialog_titleMany, Integer.toString(entries.size())));
	}

	@Override
	protected boolean isResizable() {
		return true;
	}

	@Override
	protected Point getInitialSize() {
		Point size = super.getInitialSize();
		return new Point(Math.max(size.x, 1100), Math.max(size.y, 480));
	}

	@Override
	protected Control createDialogArea(Composite parent) {
		resources = new LocalResourceManager(JFaceResources.getResources(), parent);
		okImage = resources.create(ResourceLocator.imageDescriptorFromBundle(CkptUI.PLUGIN_ID, "icons/status_ok.png") //$NON-NLS-1$
				.orElse(ImageDescriptor.getMissingImageDescriptor()));
		Composite area = (Composite) super.createDialogArea(parent);
		if (message != null && !message.isEmpty()) {
			Label intro = new Label(area, SWT.WRAP);
			intro.setText(message);
			GridData data = new GridData(SWT.FILL, SWT.TOP, true, false);
			data.widthHint = 900;
			intro.setLayoutData(data);
		}
		if (entries.size() == 1) {
			pages.add(createPage(area));
		} else {
			tabs = new TabFolder(area, SWT.TOP);
			tabs.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
			for (int i = 0; i < entries.size(); i++) {
				TabItem item = new TabItem(tabs, SWT.NONE);
				Composite holder = new Composite(tabs, SWT.NONE);
				holder.setLayout(new GridLayout(1, false));
				Page page = createPage(holder);
				page.tab = item;
				item.setControl(holder);
				pages.add(page);
			}
			tabs.addListener(SWT.Selection, e -> updateButtons());
		}
		for (int i = 0; i < entries.size(); i++) {
			fill(i);
		}
		return area;
	}

	private Page createPage(Composite parent) {
		Page page = new Page();
		Composite head = new Composite(parent, SWT.NONE);
		GridLayout headLayout = new GridLayout(2, false);
		headLayout.marginWidth = 0;
		head.setLayout(headLayout);
		head.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
		page.icon = new Label(head, SWT.NONE);
		page.summary = new Label(head, SWT.NONE);
		page.summary.setFont(JFaceResources.getBannerFont());
		page.summary.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

		page.table = new TableViewer(parent, SWT.SINGLE | SWT.FULL_SELECTION | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL);
		Table table = page.table.getTable();
		table.setHeaderVisible(true);
		table.setLinesVisible(true);
		GridData tableData = new GridData(SWT.FILL, SWT.FILL, true, true);
		tableData.heightHint = 240;
		table.setLayoutData(tableData);
		for (Column c : Column.values()) {
			TableColumn column = new TableColumn(table, SWT.LEFT);
			column.setText(c.title);
			column.setWidth(c.maxWidth / 2);
			column.setMoveable(true);
		}
		page.table.setContentProvider(ArrayContentProvider.getInstance());
		page.table.setLabelProvider(new CheckLabels());
		page.table.setComparator(new ViewerComparator() {
			@Override
			public int compare(Viewer viewer, Object a, Object b) {
				return rank((PortabilityCheck) a) - rank((PortabilityCheck) b); // problems, notes, then the rest; stable
			}
		});

		page.details = new Text(parent, SWT.READ_ONLY | SWT.WRAP | SWT.MULTI | SWT.BORDER | SWT.V_SCROLL);
		GridData detailsData = new GridData(SWT.FILL, SWT.BOTTOM, true, false);
		detailsData.heightHint = 4 * page.details.getLineHeight() + 6;
		page.details.setLayoutData(detailsData);
		page.table.addSelectionChangedListener(e -> showDetails(page));
		return page;
	}

	private static int rank(PortabilityCheck c) {
		return switch (c.status()) {
		case PROBLEM -> 0;
		case NOTE -> 1;
		default -> 2;
		};
	}

	/** Shows entry {@code i}'s report in its page. */
	private void fill(int i) {
		Page page = pages.get(i);
		Entry entry = entries.get(i);
		PortabilityReport r = entry.report();
		page.icon.setImage(r.restartable() ? okImage : sharedImage(ISharedImages.IMG_OBJS_ERROR_TSK));
		page.summary.setText(summary(r));
		page.summary.getParent().layout(true);
		page.table.setInput(r.checks().toArray());
		if (!page.fitted) {
			page.fitted = true;
			for (Column c : Column.values()) {
				TableColumn column = page.table.getTable().getColumn(c.ordinal());
				column.pack();
				column.setWidth(Math.min(column.getWidth(), c.maxWidth));
			}
		}
		Object first = page.table.getElementAt(0);
		if (first != null) {
			page.table.setSelection(new StructuredSelection(first), true);
		}
		showDetails(page);
		if (page.tab != null) {
			page.tab.setText(entry.statefile().path().getFileName().toString());
			page.tab.setImage(r.restartable() ? okImage : sharedImage(ISharedImages.IMG_OBJS_ERROR_TSK));
		}
		page.table.getTable().setToolTipText(entry.statefile().path().toString());
		updateButtons();
	}

	/** The summary line: "restart can work here", or how many problems keep it from working. */
	public static String summary(PortabilityReport r) {
		if (r.restartable()) {
			return Messages.PortabilityDialog_restartable;
		}
		return r.problems() == 1 ? Messages.PortabilityDialog_oneProblem
				: NLS.bind(Messages.PortabilityDialog_problems, Integer.toString(r.problems()));
	}

	private static void showDetails(Page page) {
		Object o = page.table.getStructuredSelection().getFirstElement();
		if (o instanceof PortabilityCheck c) {
			String text = NLS.bind(Messages.PortabilityDialog_details, new Object[] { word(c.status()), c.area(), c.subject(), c.state() });
			if (c.remedy() != null) {
				text += "\n" + NLS.bind(Messages.PortabilityDialog_remedy, c.remedy()); //$NON-NLS-1$
			}
			page.details.setText(text);
		} else {
			page.details.setText(""); //$NON-NLS-1$
		}
	}

	static String word(CheckStatus s) {
		return switch (s) {
		case OK -> Messages.PortabilityDialog_statusOk;
		case NOTE -> Messages.PortabilityDialog_statusNote;
		case PROBLEM -> Messages.PortabilityDialog_statusProblem;
		};
	}

	private static Image sharedImage(String key) {
		return PlatformUI.getWorkbench().getSharedImages().getImage(key);
	}

	/** The label provider of the table, which needs the dialog's images. */
	private final class CheckLabels extends LabelProvider implements ITableLabelProvider {

		@Override
		public Image getColumnImage(Object element, int column) {
			if (column != Column.STATUS.ordinal() || !(element instanceof PortabilityCheck c)) {
				return null;
			}
			return switch (c.status()) {
			case OK -> okImage;
			case NOTE -> sharedImage(ISharedImages.IMG_OBJS_INFO_TSK);
			case PROBLEM -> sharedImage(ISharedImages.IMG_OBJS_ERROR_TSK);
			};
		}

		@Override
		public String getColumnText(Object element, int column) {
			if (!(element instanceof PortabilityCheck c)) {
				return ""; //$NON-NLS-1$
			}
			return switch (Column.values()[column]) {
			case STATUS -> word(c.status());
			case AREA -> c.area();
			case SUBJECT -> c.subject();
			case STATE -> c.state();
			case REMEDY -> c.remedy() == null ? "" : c.remedy(); //$NON-NLS-1$
			};
		}
	}

	// --- buttons

	@Override
	protected void createButtonsForButtonBar(Composite parent) {
		createButton(parent, CHECK_AGAIN_ID, Messages.PortabilityDialog_checkAgain, false);
		createButton(parent, RESTART_MAPPED_ID, Messages.PortabilityDialog_restartMapped, false);
		createButton(parent, RESTART_ID, Messages.PortabilityDialog_restart, false);
		createButton(parent, IDialogConstants.CLOSE_ID, IDialogConstants.CLOSE_LABEL, true);
		updateButtons();
	}

	/** The entry shown now. */
	private int current() {
		return tabs == null ? 0 : Math.max(0, tabs.getSelectionIndex());
	}

	private void updateButtons() {
		if (getButton(RESTART_ID) != null && !entries.isEmpty()) {
			getButton(RESTART_ID).setEnabled(entries.get(current()).report().restartable());
		}
		if (getButton(RESTART_MAPPED_ID) != null && !entries.isEmpty()) {
			getButton(RESTART_MAPPED_ID).setEnabled(mappable(entries.get(current()).report()) != null);
		}
	}

	@Override
	protected void buttonPressed(int id) {
		if (id == CHECK_AGAIN_ID) {
			checkAgain();
		} else if (id == RESTART_ID) {
			Picked p = entries.get(current()).statefile();
			close();
			RestartHandler.restart(p);
		} else if (id == RESTART_MAPPED_ID) {
			restartWithPathMapping();
		} else if (id == IDialogConstants.CLOSE_ID) {
			close();
		} else {
			super.buttonPressed(id);
		}
	}

	/**
	 * The first problem when every problem of a report is a missing open file or working
	 * directory, which a path mapping fixes ({@code --map-path}); else {@code null}.
	 */
	static PortabilityCheck mappable(PortabilityReport r) {
		if (r.restartable()) {
			return null;
		}
		for (PortabilityCheck c : r.problemChecks()) {
			if (!MAPPABLE_AREAS.contains(c.area()) || c.remedy() == null || !c.remedy().contains("--map-path")) { //$NON-NLS-1$
				return null;
			}
		}
		return r.firstProblem().orElse(null);
	}

	private static final List<String> MAPPABLE_AREAS = List.of("cwd", "open file"); //$NON-NLS-1$ //$NON-NLS-2$

	/**
	 * Asks where the missing paths are now ({@code OLD=NEW}, OLD proposed from the first problem),
	 * then restarts with that mapping; a restart that still cannot work shows its report again.
	 */
	private void restartWithPathMapping() {
		Entry entry = entries.get(current());
		PortabilityCheck first = mappable(entry.report());
		if (first == null) {
			return;
		}
		Path missing = Path.of(first.subject());
		Path old = "cwd".equals(first.area()) || missing.getParent() == null ? missing : missing.getParent(); //$NON-NLS-1$
		InputDialog ask = new InputDialog(getShell(), Messages.PortabilityDialog_mapTitle,
				NLS.bind(Messages.PortabilityDialog_mapMessage, first.subject()), old + "=", text -> { //$NON-NLS-1$
					try {
						PathMapping.parse(text);
						return null;
					} catch (IllegalArgumentException e) {
						return e.getMessage();
					}
				});
		if (ask.open() != Window.OK) {
			return;
		}
		PathMapping mapping = PathMapping.parse(ask.getValue());
		close();
		RestartHandler.restart(entry.statefile(), List.of(mapping));
	}

	/** Runs every statefile's checks again in a job, and shows the new reports. */
	public void checkAgain() {
		List<Entry> now = List.copyOf(entries);
		getButton(CHECK_AGAIN_ID).setEnabled(false);
		String name = now.size() == 1 ? now.get(0).statefile().path().getFileName().toString()
				: NLS.bind(Messages.PortabilityDialog_statefiles, Integer.toString(now.size()));
		UiJobs.schedule(NLS.bind(Messages.PortabilityDialog_checkAgainJob, name),
				NLS.bind(Messages.CheckPortabilityHandler_failed, name), monitor -> {
					SubMonitor sub = SubMonitor.convert(monitor, now.size());
					List<PortabilityReport> reports = new ArrayList<>();
					try {
						for (Entry e : now) {
							sub.subTask(e.statefile().path().getFileName().toString());
							reports.add(Engine.check(e.statefile().path()));
							sub.worked(1);
						}
					} finally {
						PlatformUI.getWorkbench().getDisplay().asyncExec(() -> {
							if (getShell() == null || getShell().isDisposed()) {
								return;
							}
							for (int i = 0; i < reports.size(); i++) {
								entries.set(i, new Entry(now.get(i).statefile(), reports.get(i)));
								fill(i);
							}
							getButton(CHECK_AGAIN_ID).setEnabled(true);
						});
					}
				});
	}
}
