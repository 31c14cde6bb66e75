package io.ckpt.core.internal;

import org.eclipse.osgi.util.NLS;

/**
 * The user-visible text of io.ckpt.core, in {@code messages.properties} beside this class. The
 * engine locator's text is in {@link LocatorMessages}: it also runs without OSGi.
 */
public final class Messages extends NLS {

	private static final String BUNDLE_NAME = "io.ckpt.core.internal.messages"; //$NON-NLS-1$

	public static String Engine_answerNotUnderstood;
	public static String Engine_descriptionNotUnderstood;
	public static String Engine_noSuchFile;
	public static String Engine_packing;
	public static String Engine_packWritten;
	public static String Engine_reportNotUnderstood;
	public static String Engine_restartGaveNoPid;
	public static String Engine_restarting;
	public static String Engine_savingProcess;
	public static String EngineException_noReason;
	public static String EngineProcess_cannotStart;
	public static String EngineProcess_failed;
	public static String EngineProcess_noAnswer;
	public static String EngineProcess_noAnswerWithErrors;
	public static String EngineProcess_readFailed;
	public static String EngineAnswers_notAReport;
	public static String EngineAnswers_notAStatefile;
	public static String JsonMapping_notAnObject;
	public static String JsonMapping_notRead;
	public static String MetadataCache_job;
	public static String PackStructs_layout;
	public static String PathMapping_notAbsolute;
	public static String SnapshotStore_importing;
	public static String SnapshotStore_rescanJob;
	public static String StatefileCopy_copying;

	static {
		NLS.initializeMessages(BUNDLE_NAME, Messages.class);
	}

	private Messages() {
	}
}
