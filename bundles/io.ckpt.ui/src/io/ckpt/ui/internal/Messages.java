package io.ckpt.ui.internal;

import org.eclipse.osgi.util.NLS;

/** The user-visible text of io.ckpt.ui, in {@code messages.properties} beside this class. */
public final class Messages extends NLS {

	private static final String BUNDLE_NAME = "io.ckpt.ui.internal.messages"; //$NON-NLS-1$

	public static String CdtMissingStatusHandler_title;
	public static String CheckPortabilityHandler_failed;
	public static String CheckPortabilityHandler_job;
	public static String CheckPortabilityHandler_title;
	public static String CkptPreferencePage_allLaunches;
	public static String CkptPreferencePage_allLaunchesNote;
	public static String CkptPreferencePage_description;
	public static String CkptPreferencePage_engineBundled;
	public static String CkptPreferencePage_engineDirectory;
	public static String CkptPreferencePage_engineDirectoryNote;
	public static String CkptPreferencePage_engineFrom;
	public static String CkptPreferencePage_engineLocating;
	public static String CkptPreferencePage_engineNone;
	public static String CkptPreferencePage_locatingJob;
	public static String CkptPreferencePage_snapshotDirectory;
	public static String CkptPreferencePage_snapshotDirectoryNote;
	public static String DeleteHandler_failed;
	public static String DeleteHandler_job;
	public static String DeleteHandler_many;
	public static String DeleteHandler_one;
	public static String DeleteHandler_question;
	public static String DeleteHandler_title;
	public static String ExportSnapshotWizard_browse;
	public static String ExportSnapshotWizard_browseDestination;
	public static String ExportSnapshotWizard_destination;
	public static String ExportSnapshotWizard_noDirectory;
	public static String ExportSnapshotWizard_noStatefile;
	public static String ExportSnapshotWizard_pageDescription;
	public static String ExportSnapshotWizard_pageTitle;
	public static String ExportSnapshotWizard_secrets;
	public static String ExportSnapshotWizard_statefile;
	public static String ImportSnapshotHandler_allFiles;
	public static String ImportSnapshotHandler_statefiles;
	public static String ImportSnapshotHandler_title;
	public static String ImportSnapshotWizard_add;
	public static String ImportSnapshotWizard_addSome;
	public static String ImportSnapshotWizard_directory;
	public static String ImportSnapshotWizard_noProject;
	public static String ImportSnapshotWizard_pageDescription;
	public static String ImportSnapshotWizard_pageTitle;
	public static String ImportSnapshotWizard_project;
	public static String ImportSnapshotWizard_remove;
	public static String ImportSnapshotWizard_statefiles;
	public static String ImportSnapshotWizard_title;
	public static String NotRestartableStatusHandler_message;
	public static String OpenAsCoreHandler_failed;
	public static String OpenAsCoreHandler_job;
	public static String OpenAsCoreHandler_title;
	public static String PortabilityDialog_checkAgain;
	public static String PortabilityDialog_checkAgainJob;
	public static String PortabilityDialog_checking;
	public static String PortabilityDialog_columnArea;
	public static String PortabilityDialog_columnRemedy;
	public static String PortabilityDialog_columnState;
	public static String PortabilityDialog_columnStatus;
	public static String PortabilityDialog_columnSubject;
	public static String PortabilityDialog_details;
	public static String PortabilityDialog_oneProblem;
	public static String PortabilityDialog_problems;
	public static String PortabilityDialog_remedy;
	public static String PortabilityDialog_restart;
	public static String PortabilityDialog_restartable;
	public static String PortabilityDialog_statefiles;
	public static String PortabilityDialog_statusNote;
	public static String PortabilityDialog_statusOk;
	public static String PortabilityDialog_statusProblem;
	public static String PortabilityDialog_title;
	public static String PortabilityDialog_titleMany;
	public static String RestartHandler_failed;
	public static String RestartHandler_job;
	public static String RestartHandler_title;
	public static String RestartTab_browse;
	public static String RestartTab_missing;
	public static String RestartTab_name;
	public static String RestartTab_noStatefile;
	public static String RestartTab_note;
	public static String RestartTab_project;
	public static String RestartTab_statefile;
	public static String SaveSnapshotHandler_failed;
	public static String SaveSnapshotHandler_notSuspended;
	public static String SaveSnapshotHandler_saveAnyway;
	public static String SaveSnapshotHandler_title;
	public static String SaveSnapshotHandler_unrestorable;
	public static String Selections_noStatefile;
	public static String ShowInfoHandler_failed;
	public static String SnapshotColumn_name;
	public static String SnapshotColumn_program;
	public static String SnapshotColumn_size;
	public static String SnapshotColumn_stopLocation;
	public static String SnapshotColumn_threads;
	public static String SnapshotColumn_time;
	public static String SnapshotExport_chooseTitle;
	public static String SnapshotExport_done;
	public static String SnapshotExport_doneTitle;
	public static String SnapshotExport_export;
	public static String SnapshotExport_failed;
	public static String SnapshotExport_files;
	public static String SnapshotExport_job;
	public static String SnapshotExport_oneFile;
	public static String SnapshotExport_sameFile;
	public static String SnapshotExport_secrets;
	public static String SnapshotExport_title;
	public static String SnapshotGroups_imported;
	public static String SnapshotGroups_outsideTheIde;
	public static String SnapshotImport_chooseProject;
	public static String SnapshotImport_chooseProjectTitle;
	public static String SnapshotImport_failed;
	public static String SnapshotImport_imported;
	public static String SnapshotImport_importedMany;
	public static String SnapshotImport_job;
	public static String SnapshotsLabelProvider_group;
	public static String SnapshotsLabelProvider_groupOfOne;
	public static String SnapshotsLabelProvider_invalid;
	public static String SnapshotsTab_browse;
	public static String SnapshotsTab_directory;
	public static String SnapshotsTab_directoryDefault;
	public static String SnapshotsTab_enable;
	public static String SnapshotsTab_group;
	public static String SnapshotsTab_howDisabled;
	public static String SnapshotsTab_howDisabledAllLaunchesOff;
	public static String SnapshotsTab_howEnabled;
	public static String SnapshotsTab_name;
	public static String SnapshotsView_empty;
	public static String SnapshotsView_notOpened;
	public static String SnapshotsView_refresh;
	public static String SnapshotsView_refreshJob;
	public static String StatefileEditor_invalid;
	public static String StatefileEditor_noEngine;
	public static String StatefileEditor_notLocal;
	public static String StatefileEditor_reading;
	public static String StatefileEditor_readingJob;
	public static String UiJobs_failure;

	static {
		NLS.initializeMessages(BUNDLE_NAME, Messages.class);
	}

	private Messages() {
	}
}
