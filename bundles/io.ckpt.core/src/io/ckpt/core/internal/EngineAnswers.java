package io.ckpt.core.internal;

import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import io.ckpt.core.Annotation;
import io.ckpt.core.CheckStatus;
import io.ckpt.core.DumpResult;
import io.ckpt.core.PortabilityCheck;
import io.ckpt.core.PortabilityReport;
import io.ckpt.core.SavedFile;
import io.ckpt.core.SavedProcess;
import io.ckpt.core.SavedThread;
import io.ckpt.core.Statefile;
import io.ckpt.core.StopLocation;

/**
 * The engine's JSON answers ({@code ckpt info --json} or {@code ckpt_info(path, 1)},
 * {@code ckpt dump --json}, {@code ckpt restart --stopped --json}, {@code ckpt check --json} or
 * {@code ckpt_check(path, 1, &problems)}) member for member, as
 * {@link JsonMapping} reads them, and how they become the API's model. {@link StopLocation} and
 * {@link SavedThread} have the engine's member names already and are read as they are.
 */
public final class EngineAnswers {

	private EngineAnswers() {
	}

	/** What {@code ckpt info --json} prints. */
	public record Info(int format, String engine, String kernel, String hostname, String time, long timeNs,
			double freezeMs, double totalMs, boolean fromDebugger, StopLocation stop, String program, List<String> args,
			List<ProcessInfo> processes, int threads, long storedBytes, long mappedBytes, long fileBytes,
			long allocatedBytes, Annotation annotation) {

		/**
		 * The model of the statefile at {@code path} that this answer describes.
		 *
		 * @throws IllegalArgumentException when this is not a description of a statefile
		 */
		public Statefile toStatefile(Path path) {
			if (format == 0 || processes == null) {
				throw new IllegalArgumentException(Messages.EngineAnswers_notAStatefile);
			}
			Instant saved = timeNs != 0 ? Instant.ofEpochSecond(timeNs / 1_000_000_000L, timeNs % 1_000_000_000L)
					: parseTime(time);
			return new Statefile(path, format, engine, kernel, hostname, saved, freezeMs, totalMs, fromDebugger,
					stop == null ? new StopLocation(0, null, null, null, null, 0) : stop, program, strings(args),
					processes.stream().map(ProcessInfo::toSavedProcess).toList(), threads, storedBytes, mappedBytes, fileBytes,
					allocatedBytes, annotation == null || annotation.isEmpty() ? null : annotation);
		}
	}

	/** A process in {@link Info#processes()}. */
	public record ProcessInfo(long pid, long ppid, long pgid, long sid, String comm, String exe, String cwd, List<String> args,
			List<SavedThread> threads, int mappings, long storedBytes, long mappedBytes, List<FdInfo> fds) {

		SavedProcess toSavedProcess() {
			return new SavedProcess(pid, ppid, pgid, sid, comm, exe, cwd, strings(args),
					threads == null ? List.of() : List.copyOf(threads), mappings, storedBytes, mappedBytes,
					fds == null ? List.of() : fds.stream().map(FdInfo::toSavedFile).toList());
		}
	}

	/** An open file descriptor in {@link ProcessInfo#fds()}. */
	public record FdInfo(int fd, String kind, String access, String path, long pos) {

		SavedFile toSavedFile() {
			return new SavedFile(fd, kind, access, path, pos);
		}
	}

	/** What {@code ckpt dump --json} prints. */
	public record Dump(String path, int processes, int threads, long mappedBytes, long storedBytes, long fileBytes,
			long parentBytes, double freezeMs, double totalMs) {

		/** The result of a dump into {@code statefile}. */
		public DumpResult toDumpResult(Path statefile) {
			return new DumpResult(statefile, processes, threads, mappedBytes, storedBytes, fileBytes, freezeMs, totalMs);
		}
	}

	/** What {@code ckpt restart --stopped --json} prints. */
	public record Restart(int pid, int savedPid, boolean namespace, int processes, int threads, String state,
			double totalMs) {
	}

	/** What {@code ckpt check --json} prints. */
	public record Check(String path, Boolean restartable, int problems, List<CheckItem> checks) {

		/**
		 * The report on the statefile at {@code statefile} that this answer gives.
		 *
		 * @throws IllegalArgumentException when this is not a portability report
		 */
		public PortabilityReport toReport(Path statefile) {
			if (restartable == null || checks == null) {
				throw new IllegalArgumentException(Messages.EngineAnswers_notAReport);
			}
			return new PortabilityReport(statefile, restartable.booleanValue(), problems,
					checks.stream().map(CheckItem::toCheck).toList());
		}
	}

	/** An item in {@link Check#checks()}. */
	public record CheckItem(String area, String subject, String status, String state, String remedy) {

		PortabilityCheck toCheck() {
			return new PortabilityCheck(String.valueOf(area), String.valueOf(subject), CheckStatus.of(status),
					state == null ? "" : state, remedy == null || remedy.isEmpty() ? null : remedy); //$NON-NLS-1$
		}
	}

	private static Instant parseTime(String s) {
		try {
			return s == null ? null : Instant.parse(s);
		} catch (DateTimeParseException e) {
			return null;
		}
	}

	private static List<String> strings(List<String> list) {
		return list == null ? List.of() : list.stream().map(String::valueOf).toList();
	}
}
