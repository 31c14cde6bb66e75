package io.ckpt.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import io.ckpt.core.internal.EngineAnswers;
import io.ckpt.core.internal.JsonMapping;

/**
 * What a statefile holds, as the engine's {@code ckpt_info} describes it after validating the
 * file: the program, when and where it stopped, its processes and threads, and sizes. Immutable.
 *
 * @param path           the statefile
 * @param format         statefile format version
 * @param engineVersion  version of the engine that wrote it
 * @param kernel         kernel release it was saved on
 * @param hostname       machine it was saved on
 * @param time           when it was saved
 * @param freezeMillis   how long the program was stopped by the capture
 * @param totalMillis    how long the capture took
 * @param fromDebugger   whether it was saved inside a debugger ({@code ckpt save})
 * @param stop           where the program stopped
 * @param program        path of the root process's executable
 * @param args           the root process's command line
 * @param processes      every process of the tree, the root first
 * @param threads        threads in all processes
 * @param storedBytes    memory written into the file
 * @param mappedBytes    memory mapped in all processes
 * @param fileBytes      apparent size of the file
 * @param allocatedBytes disk space the (sparse) file takes
 * @param annotation     its place in a session's timeline, or {@code null} when it has no annotation
 */
public record Statefile(Path path, int format, String engineVersion, String kernel, String hostname, Instant time,
		double freezeMillis, double totalMillis, boolean fromDebugger, StopLocation stop, String program,
		List<String> args, List<SavedProcess> processes, int threads, long storedBytes, long mappedBytes,
		long fileBytes, long allocatedBytes, Annotation annotation) {

	/**
	 * Builds the model from the JSON that {@code ckpt info --json} (or {@code ckpt_info(path, 1)})
	 * prints.
	 *
	 * @param path the statefile the JSON describes
	 * @throws IllegalArgumentException when the text is not such JSON
	 */
	public static Statefile fromJson(Path path, String json) {
		return JsonMapping.read(json, EngineAnswers.Info.class).toStatefile(path);
	}

	/** The program's file name, for example {@code server} for {@code /usr/bin/server}. */
	public String programName() {
		if (program == null || program.isEmpty()) {
			return processes.isEmpty() ? "?" : processes.get(0).comm(); //$NON-NLS-1$
		}
		return program.substring(program.lastIndexOf('/') + 1);
	}
}
