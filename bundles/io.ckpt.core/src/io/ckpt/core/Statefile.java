package io.ckpt.core;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.ckpt.core.internal.Json;

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
		Map<String, Object> m = Json.parseObject(json);
		if (!m.containsKey("format") || !m.containsKey("processes")) { //$NON-NLS-1$ //$NON-NLS-2$
			throw new IllegalArgumentException("not a statefile description: no format or processes"); //$NON-NLS-1$
		}
		Map<String, Object> s = Json.obj(m, "stop"); //$NON-NLS-1$
		StopLocation stop = new StopLocation(Json.num(s, "tid", 0), Json.str(s, "pc"), Json.str(s, "symbol"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				Json.str(s, "function"), Json.str(s, "file"), (int) Json.num(s, "line", 0)); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		List<SavedProcess> processes = new ArrayList<>();
		for (Object o : Json.list(m, "processes")) { //$NON-NLS-1$
			@SuppressWarnings("unchecked")
			Map<String, Object> p = (Map<String, Object>) o;
			List<SavedThread> threads = new ArrayList<>();
			for (Object t : Json.list(p, "threads")) { //$NON-NLS-1$
				@SuppressWarnings("unchecked")
				Map<String, Object> tm = (Map<String, Object>) t;
				threads.add(new SavedThread(Json.num(tm, "tid", 0), Json.str(tm, "pc"), Json.str(tm, "symbol"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
						Json.str(tm, "name"))); //$NON-NLS-1$
			}
			List<SavedFile> files = new ArrayList<>();
			for (Object f : Json.list(p, "fds")) { //$NON-NLS-1$
				@SuppressWarnings("unchecked")
				Map<String, Object> fm = (Map<String, Object>) f;
				files.add(new SavedFile((int) Json.num(fm, "fd", -1), Json.str(fm, "kind"), Json.str(fm, "access"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
						Json.str(fm, "path"), Json.num(fm, "pos", 0))); //$NON-NLS-1$ //$NON-NLS-2$
			}
			processes.add(new SavedProcess(Json.num(p, "pid", 0), Json.num(p, "ppid", 0), Json.num(p, "pgid", 0), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
					Json.num(p, "sid", 0), Json.str(p, "comm"), Json.str(p, "exe"), Json.str(p, "cwd"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$
					strings(Json.list(p, "args")), List.copyOf(threads), (int) Json.num(p, "mappings", 0), //$NON-NLS-1$ //$NON-NLS-2$
					Json.num(p, "stored_bytes", 0), Json.num(p, "mapped_bytes", 0), List.copyOf(files))); //$NON-NLS-1$ //$NON-NLS-2$
		}
		long ns = Json.num(m, "time_ns", 0); //$NON-NLS-1$
		Instant time = ns != 0 ? Instant.ofEpochSecond(ns / 1_000_000_000L, ns % 1_000_000_000L) : parseTime(Json.str(m, "time")); //$NON-NLS-1$
		return new Statefile(path, (int) Json.num(m, "format", 0), Json.str(m, "engine"), Json.str(m, "kernel"), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				Json.str(m, "hostname"), time, Json.dbl(m, "freeze_ms", 0), Json.dbl(m, "total_ms", 0), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				Json.bool(m, "from_debugger", false), stop, Json.str(m, "program"), strings(Json.list(m, "args")), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				List.copyOf(processes), (int) Json.num(m, "threads", 0), Json.num(m, "stored_bytes", 0), //$NON-NLS-1$ //$NON-NLS-2$
				Json.num(m, "mapped_bytes", 0), Json.num(m, "file_bytes", 0), Json.num(m, "allocated_bytes", 0), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
				Annotation.fromJson(m));
	}

	private static Instant parseTime(String s) {
		try {
			return s == null ? null : Instant.parse(s);
		} catch (RuntimeException e) {
			return null;
		}
	}

	private static List<String> strings(List<Object> list) {
		List<String> out = new ArrayList<>(list.size());
		for (Object o : list) {
			out.add(String.valueOf(o));
		}
		return List.copyOf(out);
	}

	/** The program's file name, for example {@code server} for {@code /usr/bin/server}. */
	public String programName() {
		if (program == null || program.isEmpty()) {
			return processes.isEmpty() ? "?" : processes.get(0).comm(); //$NON-NLS-1$
		}
		return program.substring(program.lastIndexOf('/') + 1);
	}
}
