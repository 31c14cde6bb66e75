package io.ckpt.debug.internal;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.internal.JsonMapping;
import io.ckpt.core.internal.LibC;

/**
 * Client of the control socket of ckpt's gdb extension (protocol 1 and later, see
 * {@code native/gdb/PROTOCOL.md}): line-delimited JSON over a Unix socket at
 * {@code $XDG_RUNTIME_DIR/ckpt/gdb-<gdbpid>.sock}, else {@code /tmp/ckpt-<uid>/gdb-<gdbpid>.sock}.
 */
public final class GdbControl implements AutoCloseable {

	private final Path socket;
	private final SocketChannel channel;
	private final Selector selector;
	private final ByteBuffer in = ByteBuffer.allocate(1 << 16);
	private final StringBuilder pending = new StringBuilder();

	private GdbControl(Path socket, SocketChannel channel, Selector selector) {
		this.socket = socket;
		this.channel = channel;
		this.selector = selector;
	}

	/** Where the socket of the gdb with this pid may be, in the order to try. */
	public static List<Path> candidates(long gdbPid) {
		List<Path> list = new ArrayList<>();
		String name = "gdb-" + gdbPid + ".sock"; //$NON-NLS-1$ //$NON-NLS-2$
		for (String xdg : new String[] { environmentOf(gdbPid, "XDG_RUNTIME_DIR"), System.getenv("XDG_RUNTIME_DIR") }) { //$NON-NLS-1$ //$NON-NLS-2$
			if (xdg != null && xdg.startsWith("/")) { //$NON-NLS-1$
				Path p = Path.of(xdg, "ckpt", name); //$NON-NLS-1$
				if (!list.contains(p)) {
					list.add(p);
				}
			}
		}
		list.add(Path.of("/tmp", "ckpt-" + LibC.INSTANCE.getuid(), name)); //$NON-NLS-1$ //$NON-NLS-2$
		return list;
	}

	/** The socket of that gdb, if it has one (the extension is loaded). */
	public static Path find(long gdbPid) {
		for (Path p : candidates(gdbPid)) {
			if (Files.exists(p)) {
				return p;
			}
		}
		return null;
	}

	/** Connects to the socket of the gdb with this pid; {@code null} when it has none. */
	public static GdbControl connect(long gdbPid) throws IOException {
		Path p = find(gdbPid);
		return p == null ? null : connect(p);
	}

	public static GdbControl connect(Path socket) throws IOException {
		SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
		try {
			ch.connect(UnixDomainSocketAddress.of(socket));
			ch.configureBlocking(false);
			Selector sel = Selector.open();
			ch.register(sel, SelectionKey.OP_READ);
			return new GdbControl(socket, ch, sel);
		} catch (IOException e) {
			ch.close();
			throw e;
		}
	}

	public Path socket() {
		return socket;
	}

	/**
	 * A request: the operation, and the statefile it works on ({@code null} for none). Requests
	 * with more members are records of their own, written the same way.
	 */
	public record Request(String op, String path) {
	}

	/**
	 * Sends one request and waits for its answer, checking the monitor for cancellation (which
	 * stops waiting; gdb finishes what it started).
	 *
	 * @param request       a {@link Request}, or another record or map for the ops that take more
	 * @param answerType    the record the answer is read into (members by name)
	 * @param timeoutMillis how long to wait at most
	 */
	public <T> T request(Object request, Class<T> answerType, IProgressMonitor monitor, long timeoutMillis)
			throws IOException {
		ByteBuffer out = ByteBuffer.wrap((JsonMapping.write(request) + "\n").getBytes(StandardCharsets.UTF_8)); //$NON-NLS-1$
		while (out.hasRemaining()) {
			channel.write(out);
		}
		long deadline = System.currentTimeMillis() + timeoutMillis;
		while (true) {
			int nl = pending.indexOf("\n"); //$NON-NLS-1$
			if (nl >= 0) {
				String line = pending.substring(0, nl);
				pending.delete(0, nl + 1);
				try {
					return JsonMapping.read(line, answerType);
				} catch (IllegalArgumentException e) {
					throw new IOException(NLS.bind(Messages.GdbControl_answerNotUnderstood, line), e);
				}
			}
			if (monitor != null && monitor.isCanceled()) {
				throw new OperationCanceledException();
			}
			if (System.currentTimeMillis() > deadline) {
				throw new IOException(NLS.bind(Messages.GdbControl_noAnswer, Long.toString(timeoutMillis / 1000)));
			}
			selector.select(200);
			selector.selectedKeys().clear();
			in.clear();
			int n = channel.read(in);
			if (n < 0) {
				throw new IOException(Messages.GdbControl_closed);
			}
			if (n > 0) {
				pending.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
			}
		}
	}

	@Override
	public void close() {
		try {
			selector.close();
		} catch (IOException e) {
			// closing anyway
		}
		try {
			channel.close();
		} catch (IOException e) {
			// closing anyway
		}
	}

	/** One variable of a process's environment, from /proc; {@code null} when unknown. */
	static String environmentOf(long pid, String name) {
		try {
			byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ")); //$NON-NLS-1$ //$NON-NLS-2$
			String prefix = name + "="; //$NON-NLS-1$
			for (String entry : new String(env, StandardCharsets.UTF_8).split("\0")) { //$NON-NLS-1$
				if (entry.startsWith(prefix)) {
					return entry.substring(prefix.length());
				}
			}
		} catch (IOException | RuntimeException e) {
			// not ours to read, or gone
		}
		return null;
	}
}
