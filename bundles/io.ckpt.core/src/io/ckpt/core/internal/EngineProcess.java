package io.ckpt.core.internal;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.EngineException;
import io.ckpt.core.ProgramOutput;
import io.ckpt.core.ProgramOutput.Stream;

/**
 * The {@code ckpt} command of the engine in use, running as a separate process, so that nothing
 * the engine does can take the IDE down. Its standard input is {@code /dev/null}.
 * <p>
 * Both of its output pipes are read by daemon threads from the start until their end. The first
 * line on standard output (the engine's JSON answer) is kept apart; everything after it, and
 * everything on standard error, goes to {@link #output()}. That matters for a restart: the
 * restarted program inherits the pipes, so they stay open, and must keep being read, for as long
 * as it lives (which is why they are {@link OsPipe}s and not the JDK's).
 * <p>
 * Cancelling sends SIGTERM, on which the command cleans up: a dump lets the program go on as it
 * was and leaves no file, a restart leaves no process. A command that has not ended after a grace
 * period is killed, with every process it started.
 */
public final class EngineProcess {

	/** How often a wait looks at its progress monitor, the only way a monitor tells of cancellation. */
	private static final long CANCEL_CHECK_MS = 50;
	private static final long CANCEL_GRACE_MS = 10_000;

	private final Process process;
	private final String commandLine;
	private final CompletableFuture<String> firstLine = new CompletableFuture<>();
	private final StringBuilder engineErrors = new StringBuilder();
	private final ProgramOutput output = new ProgramOutput();

	private EngineProcess(Process process, String commandLine) {
		this.process = process;
		this.commandLine = commandLine;
	}

	/**
	 * Starts {@code command ARGS...}.
	 *
	 * @param command the engine's {@code bin/ckpt}
	 * @throws EngineException when it cannot be started
	 */
	public static EngineProcess start(Path command, List<String> args) throws EngineException {
		List<String> argv = new ArrayList<>(args.size() + 1);
		argv.add(command.toString());
		argv.addAll(args);
		InputStream stdout = null;
		InputStream stderr = null;
		try (OsPipe out = OsPipe.open(); OsPipe err = OsPipe.open()) {
			stdout = out.openReadEnd();
			stderr = err.openReadEnd();
			Process process = new ProcessBuilder(argv).redirectInput(Redirect.from(new File("/dev/null"))) //$NON-NLS-1$
					.redirectOutput(Redirect.appendTo(out.writeEnd())).redirectError(Redirect.appendTo(err.writeEnd()))
					.start();
			EngineProcess p = new EngineProcess(process, "ckpt " + String.join(" ", args)); //$NON-NLS-1$ //$NON-NLS-2$
			p.pump(stdout, Stream.STDOUT);
			p.pump(stderr, Stream.STDERR);
			return p;
		} catch (IOException e) {
			closeQuietly(stdout);
			closeQuietly(stderr);
			throw new EngineException(NLS.bind(Messages.EngineProcess_cannotStart, command, e.getMessage()), e);
		}
	}

	/** The engine process's pid. */
	public long pid() {
		return process.pid();
	}

	/** Whether the engine process has not exited yet. */
	public boolean isAlive() {
		return process.isAlive();
	}

	/** What follows the first line of standard output, and all of standard error. */
	public ProgramOutput output() {
		return output;
	}

	/**
	 * Waits for the engine process to exit. When the monitor is cancelled (or the thread
	 * interrupted) it asks the engine to stop and clean up, waits for that, and throws.
	 *
	 * @return the exit code (128+N when killed by signal N)
	 * @throws OperationCanceledException when cancelled
	 */
	public int waitFor(IProgressMonitor monitor) {
		try {
			while (!process.waitFor(CANCEL_CHECK_MS, TimeUnit.MILLISECONDS)) {
				if (monitor != null && monitor.isCanceled()) {
					cancel();
					throw new OperationCanceledException();
				}
			}
			return process.exitValue();
		} catch (InterruptedException e) {
			cancel();
			Thread.currentThread().interrupt();
			throw new OperationCanceledException();
		}
	}

	/** SIGTERM and a grace period; then SIGKILL to the engine and to everything it started. */
	private void cancel() {
		process.destroy();
		if (!waitQuietly(CANCEL_GRACE_MS)) {
			// It does not listen: take what it started while they are still its descendants.
			process.descendants().forEach(ProcessHandle::destroyForcibly);
			process.destroyForcibly();
			waitQuietly(CANCEL_GRACE_MS);
		}
	}

	private boolean waitQuietly(long millis) {
		try {
			return process.waitFor(millis, TimeUnit.MILLISECONDS);
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return !process.isAlive();
		}
	}

	/**
	 * The first line the engine wrote on standard output, waiting at most {@code timeoutMs} for it.
	 *
	 * @return the line, or {@code null} when there is none
	 */
	public String firstLine(long timeoutMs) {
		try {
			return firstLine.get(timeoutMs, TimeUnit.MILLISECONDS);
		} catch (TimeoutException | ExecutionException e) {
			return null;
		} catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			return null;
		}
	}

	/** What the engine itself wrote on standard error while it ran. */
	public String errors() {
		synchronized (engineErrors) {
			return engineErrors.toString();
		}
	}

	/**
	 * Runs the command to its end and returns its first output line.
	 *
	 * @throws EngineException            with the engine's one-line reason when it exits with non-zero status
	 * @throws OperationCanceledException when cancelled
	 */
	public String runToEnd(IProgressMonitor monitor) throws EngineException {
		int exit = waitFor(monitor);
		String line = firstLine(2000);
		if (exit != 0) {
			// Nothing outlives a failed engine, so the pipes close at once: wait for its last words.
			try {
				output.awaitClosed(1000, TimeUnit.MILLISECONDS);
			} catch (InterruptedException e) {
				Thread.currentThread().interrupt();
			}
			String errors = errors();
			throw new EngineException(
					errors.isBlank() ? NLS.bind(Messages.EngineProcess_failed, commandLine, Integer.toString(exit)) : errors);
		}
		if (line == null || line.isBlank()) {
			String code = Integer.toString(exit);
			String errors = errors();
			throw new EngineException(errors.isBlank() ? NLS.bind(Messages.EngineProcess_noAnswer, commandLine, code)
					: NLS.bind(Messages.EngineProcess_noAnswerWithErrors, new Object[] { commandLine, code, errors }));
		}
		return line;
	}

	private void pump(InputStream in, Stream stream) {
		Thread t = new Thread(() -> drain(in, stream),
				"ckpt engine " + stream.name().toLowerCase() + " (pid " + process.pid() + ")"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		t.setDaemon(true);
		t.start();
	}

	private void drain(InputStream in, Stream stream) {
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
				.onUnmappableCharacter(CodingErrorAction.REPLACE);
		byte[] buf = new byte[16384];
		ByteBuffer pending = ByteBuffer.allocate(buf.length + 16);
		CharBuffer chars = CharBuffer.allocate(buf.length + 16);
		StringBuilder first = stream == Stream.STDOUT ? new StringBuilder() : null;
		try (in) {
			int n;
			while ((n = in.read(buf)) > 0) {
				pending.put(buf, 0, n).flip();
				decoder.decode(pending, chars, false);
				pending.compact();
				chars.flip();
				String text = chars.toString();
				chars.clear();
				if (first != null) {
					int nl = text.indexOf('\n');
					if (nl < 0) {
						first.append(text);
						continue;
					}
					first.append(text, 0, nl);
					firstLine.complete(first.toString());
					first = null;
					text = text.substring(nl + 1);
				}
				if (stream == Stream.STDERR) {
					synchronized (engineErrors) {
						if (engineErrors.length() < 65536) {
							engineErrors.append(text);
						}
					}
				}
				output.append(stream, text);
			}
		} catch (IOException e) {
			String why = NLS.bind(Messages.EngineProcess_readFailed, stream.name().toLowerCase(), e.getMessage());
			output.append(Stream.STDERR, why + "\n"); //$NON-NLS-1$
		} finally {
			if (first != null && first.length() > 0) {
				firstLine.complete(first.toString());
			}
			if (stream == Stream.STDOUT) {
				firstLine.complete(null);
			}
			output.streamClosed();
		}
	}

	private static void closeQuietly(InputStream in) {
		if (in != null) {
			try {
				in.close();
			} catch (IOException e) {
				// closing anyway
			}
		}
	}
}
