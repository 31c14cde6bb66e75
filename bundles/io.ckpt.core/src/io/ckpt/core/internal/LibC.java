package io.ckpt.core.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few C library calls the Java side needs: reading the engine's pipes and signalling processes. */
public interface LibC extends Library {

	LibC INSTANCE = Native.load("c", LibC.class); //$NON-NLS-1$

	/** {@code ssize_t read(int fd, void *buf, size_t count)}. */
	long read(int fd, byte[] buf, long count) throws LastErrorException;

	int close(int fd);

	int kill(int pid, int sig);

	int getuid();

	/** errno for an interrupted call. */
	int EINTR = 4;

	/** Signal numbers on Linux. */
	int SIGKILL = 9;
	int SIGCONT = 18;
}
