package io.ckpt.core.internal;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

/** The few C library calls that Java has no equivalent for. */
public interface LibC extends Library {

	LibC INSTANCE = Native.load("c", LibC.class); //$NON-NLS-1$

	/** {@code O_CLOEXEC} on Linux. */
	int O_CLOEXEC = 02000000;

	/** {@code int pipe2(int fds[2], int flags)}. */
	int pipe2(int[] fds, int flags) throws LastErrorException;

	int close(int fd);

	int getuid();
}
