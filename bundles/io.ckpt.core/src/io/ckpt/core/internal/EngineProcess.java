package io.ckpt.core.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;

import com.sun.jna.LastErrorException;
import com.sun.jna.ptr.IntByReference;

import io.ckpt.core.EngineException;
import io.ckpt.core.ProgramOutput;
import io.ckpt.core.ProgramOutput.Stream;
import io.ckpt.core.internal.CkptLibrary.CkptChild;

/**
 * The {@code ckpt} command running as a separate process, started and watched through libckpt
 * ({@code ckpt_child_start}, {@code ckpt_child_wait}, {@code ckpt_child_cancel}), so that nothing
 * the engine does can take the IDE down.
 * <p>
 * Both pipes are drained by daemon threads from the start until their end. The first line on
 * standard output (the engine's JSON answer) is kept apart; everything after it, and everything
 * on standard error, goes to {@link #output()}. That matters for a restart: the restarted program
 * inherits the pipes, so they stay open, and must keep being drained, for as long as it lives.
 */
public final class EngineProcess {

	private static final int POLL_MS = 50;
	private static final int CANCEL_GRACE_MS = 10_000;

	private final CkptLibrary library;
	private final CkptChild child;
	private final String commandLine;
	private final CompletableFuture<String> firstLine = new CompletableFuture<>();
	private final StringBuilder engineErrors = new StringBuilder();
	private final ProgramOutput output = new ProgramOutput();

	private EngineProcess(CkptLibrary library, CkptChild child, String commandLine) {
		this.library = library;
		this.child = child;
		this.commandLine = commandLine;
	}

	/** Starts {@code ckpt ARGS...}. */
	public static EngineProcess start(NativeEngine engine, List<String> args) throws EngineException {
		CkptLibrary library = engine.library();
		CkptChild child = new CkptChild();
		String[] argv = args.toArray(String[]::new);
		if (library.ckpt_child_start(argv, argv.length, child) != 0) {
			throw new EngineException(library.ckpt_last_error());
		}
		EngineProcess p = new EngineProcess(library, child, "ckpt " + String.join(" ", args)); //$NON-NLS-1$ //$NON-NLS-2$
		p.pump(child.stdout_fd, Stream.STDOUT);
		p.pump(child.stderr_fd, Stream.STDERR);
		return p;
	}

	/** The engine process's pid. */
	public int pid() {
		return child.pid;
	}

	/** What follows the first line of standard output, and all of standard error. */
	public ProgramOutput output() {
		return output;
	}

	/**
	 * Waits for the engine process to exit, checking the monitor for cancellation; on cancel it
	 * asks the engine to stop and clean up (SIGINT), waits for that, and throws.
	 *
	 * @return the exit code (128+N when killed by signal N)
	 */
	public int waitFor(IProgressMonitor monitor) throws EngineException {
		IntByReference code = new IntByReference();
		while (true) {
			int r = library.ckpt_child_wait(child, POLL_MS, code);
			if (r < 0) {
				throw new EngineException(library.ckpt_last_error());
			}
			if (r == 1) {
				return code.getValue();
			}
			if (monitor != null && monitor.isCanceled()) {
				cancel();
				throw new OperationCanceledException();
			}
		}
	}

	private void cancel() {
		library.ckpt_child_cancel(child);
		IntByReference code = new IntByReference();
		if (library.ckpt_child_wait(child, CANCEL_GRACE_MS, code) != 1) {
			// It does not listen: kill its process group, then reap it.
			LibC.INSTANCE.kill(-child.pid, LibC.SIGKILL);
			library.ckpt_child_wait(child, CANCEL_GRACE_MS, code);
		}
	}

	/**
	 * The first line the engine wrote on standard output, waiting at most {@code timeoutMs} for it
	 * after the engine has exited.
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
	 * @throws EngineException with the engine's one-line reason when it exits with non-zero status
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
			throw new EngineException(errors.isBlank() ? commandLine + " failed with exit code " + exit : errors); //$NON-NLS-1$
		}
		if (line == null || line.isBlank()) {
			throw new EngineException(commandLine + " printed no answer (exit " + exit + ")" //$NON-NLS-1$ //$NON-NLS-2$
					+ (errors().isBlank() ? "" : ": " + errors()));
		}
		return line;
	}

	private void pump(int fd, Stream stream) {
		Thread t = new Thread(() -> drain(fd, stream), "ckpt engine " + stream.name().toLowerCase() + " (pid " + child.pid + ")"); //$NON-NLS-1$ //$NON-NLS-2$ //$NON-NLS-3$
		t.setDaemon(true);
		t.start();
	}

	private void drain(int fd, Stream stream) {
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
				.onUnmappableCharacter(CodingErrorAction.REPLACE);
		byte[] buf = new byte[16384];
		ByteBuffer pending = ByteBuffer.allocate(buf.length + 16);
		CharBuffer chars = CharBuffer.allocate(buf.length + 16);
		StringBuilder first = stream == Stream.STDOUT ? new StringBuilder() : null;
		try {
			while (true) {
				long n;
				try {
					n = LibC.INSTANCE.read(fd, buf, buf.length);
				} catch (LastErrorException e) {
					if (e.getErrorCode() == LibC.EINTR) {
						continue;
					}
					output.append(Stream.STDERR, "ckpt: reading the engine's " + stream.name().toLowerCase() //$NON-NLS-1$
							+ " failed: errno " + e.getErrorCode() + "\n"); //$NON-NLS-1$ //$NON-NLS-2$
					break;
				}
				if (n <= 0) {
					break;
				}
				pending.put(buf, 0, (int) n).flip();
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
		} finally {
			LibC.INSTANCE.close(fd);
			if (first != null && first.length() > 0) {
				firstLine.complete(first.toString());
			}
			if (stream == Stream.STDOUT) {
				firstLine.complete(null);
			}
			output.streamClosed();
		}
	}
}
