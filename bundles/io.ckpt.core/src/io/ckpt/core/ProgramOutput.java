package io.ckpt.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What a program restarted by the engine writes to its standard output and error. The restarted
 * program inherits the engine process's pipes, so they are drained for as long as it lives; this
 * object keeps the most recent text and hands everything to its listeners, which are called on
 * the draining threads.
 */
public final class ProgramOutput {

	/** Which stream text came from. */
	public enum Stream {
		STDOUT, STDERR
	}

	/** Receives the program's output. */
	public interface Listener {
		/** Called on a draining thread with each chunk of text, in order for each stream. */
		void append(Stream stream, String text);

		/** Called once both streams are closed (the program and the engine process have exited). */
		default void closed() {
		}
	}

	private static final int BACKLOG_LIMIT = 256 * 1024;

	private final StringBuilder[] backlog = { new StringBuilder(), new StringBuilder() };
	private final List<Listener> listeners = new ArrayList<>();
	private final CountDownLatch closed = new CountDownLatch(2);

	/** Adds a listener; it first receives the text kept so far. */
	public void addListener(Listener listener) {
		boolean isClosed;
		synchronized (this) {
			for (Stream s : Stream.values()) {
				if (backlog[s.ordinal()].length() > 0) {
					listener.append(s, backlog[s.ordinal()].toString());
				}
			}
			listeners.add(listener);
			isClosed = closed.getCount() == 0;
		}
		if (isClosed) {
			listener.closed();
		}
	}

	public synchronized void removeListener(Listener listener) {
		listeners.remove(listener);
	}

	/** The most recent text of one stream (up to 256 KiB). */
	public synchronized String text(Stream stream) {
		return backlog[stream.ordinal()].toString();
	}

	/** Whether both streams have been closed. */
	public boolean isClosed() {
		return closed.getCount() == 0;
	}

	/** Waits until both streams are closed. */
	public boolean awaitClosed(long timeout, TimeUnit unit) throws InterruptedException {
		return closed.await(timeout, unit);
	}

	/** For the draining threads. */
	public void append(Stream stream, String text) {
		if (text.isEmpty()) {
			return;
		}
		synchronized (this) {
			StringBuilder b = backlog[stream.ordinal()];
			b.append(text);
			if (b.length() > BACKLOG_LIMIT) {
				b.delete(0, b.length() - BACKLOG_LIMIT);
			}
			for (Listener l : listeners) {
				try {
					l.append(stream, text);
				} catch (RuntimeException e) {
					// A broken listener must not stop the draining.
				}
			}
		}
	}

	/** For the draining threads: one stream reached its end. */
	public void streamClosed() {
		List<Listener> toCall;
		synchronized (this) {
			closed.countDown();
			if (closed.getCount() != 0) {
				return;
			}
			toCall = new ArrayList<>(listeners);
		}
		for (Listener l : toCall) {
			try {
				l.closed();
			} catch (RuntimeException e) {
				// ignored, as above
			}
		}
	}
}
