package io.ckpt.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.NullProgressMonitor;
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
import io.ckpt.core.internal.PackStructs;

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
 * Inspecting a statefile ({@link #inspect}, {@link #describe}), checking whether it can restart
 * here ({@link #check}) and packing it for another machine ({@link #pack}) run in-process. Dump and restart
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
		return check(statefile, List.of());
	}

	/**
	 * {@link #check(Path)}, with the files the program had open and the working directories that
	 * are missing here looked up where {@code mappings} say ({@code ckpt check --map-path}): the
	 * report notes each one found there, and restart with the same mappings opens them there.
	 *
	 * @throws EngineException with the engine's one-line reason when the file cannot be read as a
	 *                         statefile or a mapping is refused
	 */
	public static PortabilityReport check(Path statefile, List<PathMapping> mappings) throws EngineException {
		if (!Files.isRegularFile(statefile)) {
			throw new EngineException(NLS.bind(Messages.Engine_noSuchFile, statefile));
		}
		CkptLibrary lib = library();
		IntByReference problems = new IntByReference();
		Pointer p;
		if (mappings.isEmpty()) {
			p = lib.ckpt_check(statefile.toString(), 1, problems);
		} else {
			PackStructs.PathMap first = new PackStructs.PathMap();
			String mismatch = PackStructs.checkLayout(lib, "ckpt_path_map", first); //$NON-NLS-1$
			if (mismatch != null) {
				throw new EngineException(mismatch);
			}
			PackStructs.PathMap[] maps = (PackStructs.PathMap[]) first.toArray(mappings.size());
			for (int i = 0; i < maps.length; i++) {
				maps[i].from = mappings.get(i).from();
				maps[i].to = mappings.get(i).to();
			}
			p = lib.ckpt_check_mapped(statefile.toString(), 1, maps, maps.length, problems); // JNA writes every element
		}
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

	/** One pack at a time: cancelling one sets the engine's process-wide interrupt flag. */
	private static final Object PACKING = new Object();

	/**
	 * Packs a statefile for another machine ({@code ckpt pack}), in-process: {@code output} is the
	 * statefile with every file its mappings come from (the executable, every shared library) and
	 * their separate debug info embedded, so that it restarts where those files differ or are
	 * missing. The engine writes it under a temporary name beside {@code output}, mode 0600, and
	 * renames it when complete, so a failure or a cancel leaves nothing under {@code output}.
	 * Packing runs where the statefile was saved, while the files are still the ones the program
	 * had mapped. The monitor shows how much is written; cancelling it interrupts the engine.
	 *
	 * @param withFiles also embed the small regular files the program had open
	 * @throws EngineException            with the engine's one-line reason
	 * @throws OperationCanceledException when cancelled
	 */
	public static PackResult pack(Path statefile, Path output, boolean withFiles, IProgressMonitor monitor) throws EngineException {
		// The engine says nothing of its progress while packing: the bar is busy, the text says how much is written.
		IProgressMonitor sub = monitor == null ? new NullProgressMonitor() : monitor;
		sub.beginTask(NLS.bind(Messages.Engine_packing, statefile.getFileName()), IProgressMonitor.UNKNOWN);
		if (!Files.isRegularFile(statefile)) {
			throw new EngineException(NLS.bind(Messages.Engine_noSuchFile, statefile));
		}
		CkptLibrary lib = library();
		PackStructs.Options options = new PackStructs.Options();
		PackStructs.Result result = new PackStructs.Result();
		for (String mismatch : new String[] { PackStructs.checkLayout(lib, "ckpt_pack_options", options), //$NON-NLS-1$
				PackStructs.checkLayout(lib, "ckpt_pack_result", result) }) { //$NON-NLS-1$
			if (mismatch != null) {
				throw new EngineException(mismatch);
			}
		}
		options.with_files = withFiles ? 1 : 0;
		synchronized (PACKING) {
			if (sub.isCanceled()) {
				throw new OperationCanceledException();
			}
			// ckpt_last_error is per thread: the worker reads it where ckpt_pack failed.
			String[] error = new String[1];
			Thread worker = new Thread(() -> {
				if (lib.ckpt_pack(statefile.toString(), output.toString(), options, result) < 0) {
					error[0] = lib.ckpt_last_error();
				}
			}, "ckpt pack " + statefile.getFileName()); //$NON-NLS-1$
			worker.setDaemon(true);
			worker.start();
			boolean cancelled = false;
			try {
				while (!join(worker, 200)) {
					if (!cancelled && sub.isCanceled()) {
						cancelled = true;
						lib.ckpt_interrupt(1);
					}
					long written = bytesBeingWritten(output);
					if (written > 0) {
						sub.subTask(NLS.bind(Messages.Engine_packWritten, output.getFileName(), String.format("%.1f", written / 1048576.0))); //$NON-NLS-1$
					}
				}
			} finally {
				if (cancelled) {
					lib.ckpt_interrupt(0);
				}
			}
			cancelled |= sub.isCanceled();
			if (cancelled) { // even when the engine finished first: a cancelled pack leaves no file
				if (error[0] == null) {
					deleteQuietly(output);
				}
				throw new OperationCanceledException();
			}
			if (error[0] != null) {
				throw new EngineException(error[0]);
			}
		}
		sub.done();
		return new PackResult(statefile, output, result.files, result.debug_files, result.skipped_open_files, result.embedded_bytes,
				result.statefile_bytes, result.file_bytes);
	}

	private static void deleteQuietly(Path file) {
		try {
			Files.deleteIfExists(file);
		} catch (java.io.IOException e) {
			// the user sees it; nothing more to do
		}
	}

	/** Waits for a thread to end, at most {@code millis}; whether it has. Not interruptible: the engine must finish. */
	private static boolean join(Thread thread, long millis) {
		try {
			thread.join(millis);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
		}
		return !thread.isAlive();
	}

	/** Size of the engine's temporary file for {@code output} ({@code .NAME.XXXXXX.tmp} beside it), 0 when there is none. */
	private static long bytesBeingWritten(Path output) {
		Path dir = output.toAbsolutePath().getParent();
		String prefix = "." + output.getFileName() + "."; //$NON-NLS-1$ //$NON-NLS-2$
		long size = 0;
		try (java.nio.file.DirectoryStream<Path> tmp = Files.newDirectoryStream(dir,
				p -> p.getFileName().toString().startsWith(prefix) && p.getFileName().toString().endsWith(".tmp"))) { //$NON-NLS-1$
			for (Path p : tmp) {
				size = Math.max(size, Files.size(p));
			}
		} catch (java.io.IOException | RuntimeException e) {
			return 0; // gone meanwhile: renamed or removed
		}
		return size;
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
		return restartStopped(statefile, List.of(), monitor);
	}

	/**
	 * {@link #restartStopped(Path, IProgressMonitor)}, opening the files and working directories
	 * that are missing here where {@code mappings} say ({@code ckpt restart --map-path OLD=NEW}).
	 */
	public static RestartedProgram restartStopped(Path statefile, List<PathMapping> mappings, IProgressMonitor monitor)
			throws EngineException {
		SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.Engine_restarting, statefile.getFileName()), 1);
		if (sub.isCanceled()) {
			throw new OperationCanceledException();
		}
		List<String> args = new java.util.ArrayList<>(List.of("restart", statefile.toString(), "--stopped", "--json")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		for (PathMapping m : mappings) {
			args.add("--map-path"); //$NON-NLS-1$
			args.add(m.toString());
		}
		EngineProcess p = EngineProcess.start(executable(), args);
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
