package io.ckpt.debug.internal;

import org.eclipse.osgi.util.NLS;

/** The user-visible text of io.ckpt.debug, in {@code messages.properties} beside this class. */
public final class Messages extends NLS {

	private static final String BUNDLE_NAME = "io.ckpt.debug.internal.messages"; //$NON-NLS-1$

	public static String GdbControl_answerNotUnderstood;
	public static String GdbControl_closed;
	public static String GdbControl_noAnswer;
	public static String GdbInit_notWritten;
	public static String LaunchEnabler_job;
	public static String RestartLaunchDelegate_attachConfiguration;
	public static String RestartLaunchDelegate_attachFailed;
	public static String RestartLaunchDelegate_attaching;
	public static String RestartLaunchDelegate_cdtMissing;
	public static String RestartLaunchDelegate_checking;
	public static String RestartLaunchDelegate_checkingPortability;
	public static String RestartLaunchDelegate_noStatefile;
	public static String RestartLaunchDelegate_notRestartable;
	public static String RestartLaunchDelegate_notRestartableOne;
	public static String RestartLaunchDelegate_processLabel;
	public static String RestartLaunchDelegate_restarting;
	public static String RestartLaunchDelegate_task;
	public static String SessionFollower_job;
	public static String SessionFollower_notFollowed;
	public static String SessionFollower_timelineFailed;
	public static String SnapPointSync_job;
	public static String Sessions_labelWithTime;
	public static String Sessions_labelWithType;
	public static String Sessions_unnamed;
	public static String Snapshots_askingGdb;
	public static String Snapshots_coreConfiguration;
	public static String Snapshots_gdbFailed;
	public static String Snapshots_namedLaunch;
	public static String Snapshots_noCdtForCore;
	public static String Snapshots_noExtension;
	public static String Snapshots_noGdb;
	public static String Snapshots_openingAsCore;
	public static String Snapshots_saving;
	public static String Snapshots_savingFile;
	public static String Snapshots_thisLaunch;
	public static String TimeTravel_noExtension;
	public static String TimeTravel_noGdb;

	static {
		NLS.initializeMessages(BUNDLE_NAME, Messages.class);
	}

	private Messages() {
	}
}
