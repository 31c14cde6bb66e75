package io.ckpt.debug;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;

import io.ckpt.core.Engine;

/**
 * What differs between two statefiles of one program, as the gdb extension's {@code ckpt diff A B}
 * finds it: the arguments and locals of the saved thread's frames, the program's globals, and how
 * many memory pages differ. It runs in a batch gdb of its own (which opens each file as a core
 * file), so it needs no debug session. Blocks: run it in a Job.
 *
 * @param text    what {@code ckpt diff} printed
 * @param program the program both statefiles are of
 * @param rows    one per difference, frames first (newest frame first), then globals
 * @param memory  the memory line, for example {@code 12 of 140 stored pages differ (48.0 KiB)}
 */
public record SnapshotDiff(String text, String program, List<SnapshotDiff.Row> rows, String memory) {

	/**
	 * One difference.
	 *
	 * @param section {@code frames} or {@code globals}
	 * @param name    the variable, element or member, for example {@code total} or {@code cells[3]}
	 * @param where   for example {@code local of work, frame #0} or {@code global in loop.c}
	 * @param a       its value in A ({@code (none)} when A lacks it); empty for a note
	 * @param b       its value in B
	 */
	public record Row(String section, String name, String where, String a, String b) {
	}

	private static final Pattern CHANGE = Pattern.compile("^(.+?) \\((.+)\\): (.*) -> (.*)$"); //$NON-NLS-1$
	private static final long TIMEOUT_S = 600;

	/** Compares statefile A with B. */
	public static SnapshotDiff compare(Path a, Path b, IProgressMonitor monitor) throws CoreException {
		List<String> cmd = List.of("gdb", "-nx", "-q", "-batch", "-ex", "source " + Engine.gdbExtension(), //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
				"-ex", "ckpt diff " + quoted(a) + " " + quoted(b)); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		ProcessBuilder pb = new ProcessBuilder(cmd);
		pb.environment().put("CKPT_NO_SOCKET", "1"); // a helper gdb, not a session for the IDE //$NON-NLS-1$ //$NON-NLS-2$
		pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))); //$NON-NLS-1$
		Process p;
		try {
			p = pb.start();
		} catch (IOException e) {
			throw Snapshots.error(0, "Compare Snapshots needs gdb on the PATH: " + e.getMessage(), e); //$NON-NLS-1$
		}
		try {
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			ByteArrayOutputStream err = new ByteArrayOutputStream();
			Thread errPump = pump(p.getErrorStream(), err);
			Thread outPump = pump(p.getInputStream(), out);
			long deadline = System.currentTimeMillis() + TIMEOUT_S * 1000;
			while (!p.waitFor(200, TimeUnit.MILLISECONDS)) {
				if (monitor != null && monitor.isCanceled()) {
					throw new OperationCanceledException();
				}
				if (System.currentTimeMillis() > deadline) {
					throw Snapshots.error(0, "ckpt diff did not finish within " + TIMEOUT_S + " s", null); //$NON-NLS-1$ //$NON-NLS-2$
				}
			}
			outPump.join(5000);
			errPump.join(5000);
			String text = out.toString(StandardCharsets.UTF_8);
			String errors = err.toString(StandardCharsets.UTF_8).strip();
			if (p.exitValue() != 0 || !text.contains("\nMemory: ")) { //$NON-NLS-1$
				String first = errors.isEmpty() ? "ckpt diff failed (gdb exit " + p.exitValue() + ")" : errors.lines().reduce((x, y) -> y).get(); //$NON-NLS-1$ //$NON-NLS-2$
				throw Snapshots.error(0, first, null);
			}
			return parse(text);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new OperationCanceledException();
		} finally {
			p.destroyForcibly();
		}
	}

	/** Reads what {@code ckpt diff} printed. */
	public static SnapshotDiff parse(String text) {
		List<Row> rows = new ArrayList<>();
		String program = ""; //$NON-NLS-1$
		String memory = ""; //$NON-NLS-1$
		String section = null;
		for (String line : text.split("\n")) { //$NON-NLS-1$
			if (line.startsWith("Program: ")) { //$NON-NLS-1$
				program = line.substring(9);
			} else if (line.startsWith("Frames of the saved thread")) { //$NON-NLS-1$
				section = "frames"; //$NON-NLS-1$
			} else if (line.startsWith("Globals")) { //$NON-NLS-1$
				section = "globals"; //$NON-NLS-1$
			} else if (line.startsWith("Memory: ")) { //$NON-NLS-1$
				memory = line.substring(8);
				section = null;
			} else if (section != null && line.startsWith("  ") && !line.equals("  no difference")) { //$NON-NLS-1$ //$NON-NLS-2$
				String item = line.substring(2);
				Matcher m = CHANGE.matcher(item);
				rows.add(m.matches() ? new Row(section, m.group(1), m.group(2), m.group(3), m.group(4))
						: new Row(section, item, "", "", "")); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
			}
		}
		return new SnapshotDiff(text, program, List.copyOf(rows), memory);
	}

	private static String quoted(Path p) {
		return "'" + p.toAbsolutePath().toString().replace("\\", "\\\\").replace("'", "\\'") + "'"; //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$ //$NON-NLS-4$ //$NON-NLS-5$ //$NON-NLS-6$
	}

	private static Thread pump(InputStream in, ByteArrayOutputStream to) {
		Thread t = new Thread(() -> {
			try (in) {
				in.transferTo(to);
			} catch (IOException e) {
				// the process went away
			}
		}, "ckpt diff output"); //$NON-NLS-1$
		t.setDaemon(true);
		t.start();
		return t;
	}
}
