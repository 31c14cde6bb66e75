package io.ckpt.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.osgi.util.NLS;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

import io.ckpt.core.internal.CkptLibrary;
import io.ckpt.core.internal.EngineAnswers;
import io.ckpt.core.internal.EngineProcess;
import io.ckpt.core.internal.JsonMapping;
import io.ckpt.core.internal.Messages;
import io.ckpt.core.internal.NativeEngine;

/**
 * Entry point to the native ckpt engine (libckpt, reached through JNA).
 * <p>
 * The engine is found in this order:
 * <ol>
 * <li>the platform fragment of this bundle ({@code io.ckpt.core.linux.x86_64}), which carries the
 * engine under {@code engine/};</li>
 * <li>the system property {@value #HOME_PROPERTY};</li>
 * <li>the environment variable {@value #HOME_ENV}.</li>
 * </ol>
 * The last two name a directory laid out like the engine's build output: {@code bin/ckpt},
 * {@code lib/libckpt.so} and {@code share/ckpt/ckpt-gdb.py}.
 * <p>
 * Inspecting a statefile ({@link #inspect}, {@link #describe}) and checking whether it can restart
 * here ({@link #check}) run in-process. Dump and restart
 * run the engine's {@code ckpt} command ({@link #executable()}) as a separate process, so that a
 * crash in the engine cannot take the IDE down; they can be cancelled through their progress
 * monitor.
 * <p>
 * This class is safe to call from any thread, but none of its engine calls belongs on a UI
 * thread. The library is loaded on first use.
 */
public final class Engine {

	/** Symbolic name of this bundle. */
	public static final String PLUGIN_ID = "io.ckpt.core"; //$NON-NLS-1$

	/** System property naming an engine directory, used when the fragment is not installed. */
	public static final String HOME_PROPERTY = "ckpt.home"; //$NON-NLS-1$

	/** Environment variable naming an engine directory, used when the fragment is not installed. */
	public static final String HOME_ENV = "CKPT_HOME"; //$NON-NLS-1$

	private Engine() {
	}

	/**
	 * Returns the engine's version, {@code MAJOR.MINOR.PATCH}, as libckpt reports it.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found or loaded
	 */
	public static String version() {
		return NativeEngine.get().version();
	}

	/**
	 * Returns the statefile format version that this engine writes and reads.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found or loaded
	 */
	public static int formatVersion() {
		return NativeEngine.get().formatVersion();
	}

	/**
	 * Returns the engine directory in use (the one holding {@code bin/}, {@code lib/} and
	 * {@code share/}).
	 *
	 * @throws EngineNotFoundException if the engine cannot be found
	 */
	public static Path home() {
		return NativeEngine.get().location().home();
	}

	/**
	 * Returns the path of the {@code ckpt} command line tool of the engine in use.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found
	 */
	public static Path executable() {
		return home().resolve("bin").resolve("ckpt"); //$NON-NLS-1$ //$NON-NLS-2$
	}

	/**
	 * Returns the path of the engine's gdb extension, to be loaded with gdb's {@code source}
	 * command.
	 *
	 * @throws EngineNotFoundException if the engine cannot be found
	 */
	public static Path gdbExtension() {
		return home().resolve("share").resolve("ckpt").resolve("ckpt-gdb.py"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
	}

	/**
	 * Validates a statefile and describes it, in-process.
	 *
	 * @throws EngineException with the engine's one-line reason when the file is not a valid statefile
	 */
	public static Statefile inspect(Path statefile) throws EngineException {
		String json = info(statefile, true);
		try {
			return Statefile.fromJson(statefile, json);
		} catch (IllegalArgumentException e) {
			throw new EngineException(NLS.bind(Messages.Engine_descriptionNotUnderstood, statefile, e.getMessage()), e);
		}
	}

	/**
	 * Validates a statefile and describes it as text, as {@code ckpt info FILE} prints it, in-process.
	 *
	 * @throws EngineException with the engine's one-line reason when the file is not a valid statefile
	 */
	public static String describe(Path statefile) throws EngineException {
		return info(statefile, false);
	}

	/**
	 * Checks whether a statefile can restart on this machine, item by item ({@code ckpt check}),
	 * in-process: the files its memory is mapped from, the CPU's instruction sets and xsave
	 * layout, the vDSO, the kernel, its working directories and open files, and the user. Each
	 * problem comes with a remedy. A restart refuses on the report's first problem, in the same
	 * words.
	 *
	 * @throws EngineException with the engine's one-line reason when the file cannot be read as a
	 *                         statefile
	 */
	public static PortabilityReport check(Path statefile) throws EngineException {
		if (!Files.isRegularFile(statefile)) {
			throw new EngineException(NLS.bind(Messages.Engine_noSuchFile, statefile));
		}
		CkptLibrary lib = library();
		IntByReference problems = new IntByReference();
		Pointer p = lib.ckpt_check(statefile.toString(), 1, problems);
		if (p == null) {
			throw new EngineException(lib.ckpt_last_error());
		}
		String json;
		try {
			json = p.getString(0, "UTF-8"); //$NON-NLS-1$
		} finally {
			lib.ckpt_free(p);
		}
		try {
			return JsonMapping.read(json, EngineAnswers.Check.class).toReport(statefile);
		} catch (IllegalArgumentException e) {
			throw new EngineException(NLS.bind(Messages.Engine_reportNotUnderstood, statefile, e.getMessage()), e);
		}
	}

	private static String info(Path statefile, boolean json) throws EngineException {
		if (!Files.isRegularFile(statefile)) {
			throw new EngineException(NLS.bind(Messages.Engine_noSuchFile, statefile));
		}
		CkptLibrary lib = library();
		Pointer p = lib.ckpt_info(statefile.toString(), json ? 1 : 0);
		if (p == null) {
			throw new EngineException(lib.ckpt_last_error());
		}
		try {
			return p.getString(0, "UTF-8"); //$NON-NLS-1$
		} finally {
			lib.ckpt_free(p);
		}
	}

	/**
	 * Saves a running process tree that nobody traces into a statefile ({@code ckpt dump}), in a
	 * separate engine process.
	 *
	 * @param pid     root of the tree
	 * @param output  the statefile to write
	 * @param mode    what happens to the process afterwards
	 * @param monitor progress and cancellation; may be {@code null}
	 * @throws EngineException          with the engine's one-line reason
	 * @throws OperationCanceledException when cancelled (the engine releases the process)
	 */
	public static DumpResult dump(long pid, Path output, DumpMode mode, IProgressMonitor monitor) throws EngineException {
		SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.Engine_savingProcess, Long.toString(pid)), 1);
		EngineProcess p = EngineProcess.start(executable(), List.of("dump", Long.toString(pid), "-o", //$NON-NLS-1$ //$NON-NLS-2$
				output.toString(), mode.option(), "--json")); //$NON-NLS-1$
		EngineAnswers.Dump answer = answer(p.runToEnd(sub), EngineAnswers.Dump.class);
		sub.done();
		return answer.toDumpResult(output);
	}

	/**
	 * Restarts a statefile and leaves the program stopped at the saved context, ready for a
	 * debugger ({@code ckpt restart FILE --stopped}), in a separate engine process. The program's
	 * output keeps arriving in the result's {@link RestartedProgram#output()} while it lives.
	 *
	 * @throws EngineException          with the engine's one-line reason
	 * @throws OperationCanceledException when cancelled (the engine leaves nothing behind)
	 */
	public static RestartedProgram restartStopped(Path statefile, IProgressMonitor monitor) throws EngineException {
		SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.Engine_restarting, statefile.getFileName()), 1);
		if (sub.isCanceled()) {
			throw new OperationCanceledException();
		}
		EngineProcess p = EngineProcess.start(executable(), List.of("restart", statefile.toString(), //$NON-NLS-1$
				"--stopped", "--json")); //$NON-NLS-1$ //$NON-NLS-2$
		String line = p.runToEnd(sub);
		EngineAnswers.Restart answer = answer(line, EngineAnswers.Restart.class);
		if (answer.pid() <= 0) {
			throw new EngineException(NLS.bind(Messages.Engine_restartGaveNoPid, line));
		}
		sub.done();
		return new RestartedProgram(statefile, answer.pid(), answer.savedPid(), answer.namespace(), answer.processes(),
				answer.threads(), answer.totalMs(), p.output());
	}

	/**
	 * Sets a statefile's label and/or note in place ({@code ckpt label}); {@code null} leaves one
	 * as it is, an empty string clears it.
	 *
	 * @throws EngineException with the engine's one-line reason (a bad file, control characters, too long)
	 */
	public static void label(Path statefile, String label, String note) throws EngineException {
		if (label == null && note == null) {
			return;
		}
		List<String> args = new ArrayList<>(List.of("label", statefile.toString())); //$NON-NLS-1$
		if (label != null) {
			args.add(label);
		}
		if (note != null) {
			args.add("--note"); //$NON-NLS-1$
			args.add(note);
		}
		EngineProcess p = EngineProcess.start(executable(), args);
		int exit = p.waitFor(null);
		if (exit != 0) {
			String errors = p.errors().strip();
			throw new EngineException(errors.isEmpty()
					? NLS.bind(Messages.EngineProcess_failed, "ckpt label", Integer.toString(exit)) //$NON-NLS-1$
					: errors);
		}
	}

	private static <T> T answer(String line, Class<T> type) throws EngineException {
		try {
			return JsonMapping.read(line, type);
		} catch (IllegalArgumentException e) {
			throw new EngineException(NLS.bind(Messages.Engine_answerNotUnderstood, line), e);
		}
	}

	private static CkptLibrary library() {
		return NativeEngine.get().library();
	}
}
