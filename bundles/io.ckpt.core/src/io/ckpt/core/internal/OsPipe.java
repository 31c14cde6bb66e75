package io.ckpt.core.internal;

import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;

import com.sun.jna.LastErrorException;

/**
 * A pipe of the operating system for a child process's output, owned by us rather than by the
 * JDK. The JDK closes the pipes of a {@link Process} as soon as that process exits, but the
 * program that {@code ckpt restart} brings back inherits the engine's standard output and error
 * and goes on writing to them after the engine has exited. So the engine writes to the write end
 * of this pipe (given to {@link ProcessBuilder} by its {@code /proc/self/fd} path), and we read
 * the read end for as long as anyone holds the write end.
 */
final class OsPipe implements AutoCloseable {

	private final int readFd;
	private final int writeFd;

	private OsPipe(int readFd, int writeFd) {
		this.readFd = readFd;
		this.writeFd = writeFd;
	}

	static OsPipe open() throws IOException {
		int[] fds = new int[2];
		try {
			LibC.INSTANCE.pipe2(fds, LibC.O_CLOEXEC);
		} catch (LastErrorException e) {
			throw new IOException("pipe2: errno " + e.getErrorCode(), e); //$NON-NLS-1$
		}
		return new OsPipe(fds[0], fds[1]);
	}

	/** The write end, as a file that a redirect can open. */
	File writeEnd() {
		return fdPath(writeFd);
	}

	/** A stream on the read end of its own; it stays open when this pipe is closed. */
	InputStream openReadEnd() throws IOException {
		return new FileInputStream(fdPath(readFd));
	}

	/** Closes our own two descriptors: once the child has its copy, only it holds the write end. */
	@Override
	public void close() {
		LibC.INSTANCE.close(readFd);
		LibC.INSTANCE.close(writeFd);
	}

	private static File fdPath(int fd) {
		return new File("/proc/self/fd/" + fd); //$NON-NLS-1$
	}
}
