package io.ckpt.core.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.osgi.util.NLS;

import io.ckpt.core.SnapshotStore;

/**
 * Copies a statefile into a snapshot directory the way the engine writes one: under a temporary
 * name that no listing takes for a statefile, synced, then given its final name, so that nothing
 * half-copied is ever seen there. The copy is mode 0600 (it holds the program's memory), keeps
 * the holes of the sparse original (pages that are all zeros are not written), keeps its
 * modification time (the time the view shows, which is when the statefile was saved), and never
 * replaces a file: when the name is taken, it gets {@code NAME-2.ckpt}, {@code NAME-3.ckpt} and so on.
 */
public final class StatefileCopy {

	private static final int PAGE = 4096;
	private static final int CHUNK = 1 << 20;
	private static final byte[] ZEROS = new byte[PAGE];

	private StatefileCopy() {
	}

	/**
	 * Copies {@code source} into {@code directory} (made when missing) and returns the copy.
	 *
	 * @throws OperationCanceledException when cancelled (nothing is left behind)
	 */
	public static Path copyInto(Path source, Path directory, IProgressMonitor monitor) throws IOException {
		long size = Files.size(source);
		int mib = (int) Math.min(Integer.MAX_VALUE, Math.max(1, (size + CHUNK - 1) / CHUNK));
		SubMonitor sub = SubMonitor.convert(monitor, NLS.bind(Messages.StatefileCopy_copying, source.getFileName()), mib + 1);
		Files.createDirectories(directory);
		String base = baseName(source);
		Path tmp = Files.createTempFile(directory, "." + base + ".", ".importing", //$NON-NLS-1$ //$NON-NLS-2$
				PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))); //$NON-NLS-1$
		boolean done = false;
		try {
			copySparse(source, tmp, size, sub.split(mib));
			Files.setLastModifiedTime(tmp, Files.getLastModifiedTime(source));
			Path target = giveFreeName(tmp, directory, base);
			sub.split(1);
			done = true;
			return target;
		} finally {
			if (!done) {
				Files.deleteIfExists(tmp);
			}
		}
	}

	/** The name a statefile has in its new directory, without {@code .ckpt}. */
	static String baseName(Path source) {
		String name = source.getFileName().toString();
		return name.endsWith(SnapshotStore.EXTENSION) ? name.substring(0, name.length() - SnapshotStore.EXTENSION.length())
				: name;
	}

	private static void copySparse(Path source, Path target, long size, SubMonitor monitor) throws IOException {
		monitor.setWorkRemaining((int) Math.min(Integer.MAX_VALUE, Math.max(1, (size + CHUNK - 1) / CHUNK)));
		try (FileChannel in = FileChannel.open(source, StandardOpenOption.READ);
				RandomAccessFile out = new RandomAccessFile(target.toFile(), "rw")) { //$NON-NLS-1$
			FileChannel channel = out.getChannel();
			ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);
			byte[] bytes = new byte[CHUNK];
			long position = 0;
			while (position < size) {
				if (monitor.isCanceled()) {
					throw new OperationCanceledException();
				}
				buffer.clear();
				int n = 0;
				while (buffer.hasRemaining()) {
					int r = in.read(buffer, position + n);
					if (r < 0) {
						break;
					}
					n += r;
				}
				if (n == 0) {
					break; // shorter than it was a moment ago: copy what there is
				}
				buffer.flip();
				buffer.get(bytes, 0, n);
				writeDataRuns(channel, bytes, n, position);
				position += n;
				monitor.worked(1);
			}
			out.setLength(position); // a hole at the end is still part of the file
			channel.force(true);
		}
	}

	/** Writes the pages of {@code bytes[0, n)} that are not all zeros; the others stay holes. */
	private static void writeDataRuns(FileChannel out, byte[] bytes, int n, long position) throws IOException {
		int run = -1;
		for (int off = 0; off < n; off += PAGE) {
			int len = Math.min(PAGE, n - off);
			boolean zero = Arrays.equals(bytes, off, off + len, ZEROS, 0, len);
			if (!zero && run < 0) {
				run = off;
			} else if (zero && run >= 0) {
				writeFully(out, ByteBuffer.wrap(bytes, run, off - run), position + run);
				run = -1;
			}
		}
		if (run >= 0) {
			writeFully(out, ByteBuffer.wrap(bytes, run, n - run), position + run);
		}
	}

	private static void writeFully(FileChannel out, ByteBuffer data, long position) throws IOException {
		long at = position;
		while (data.hasRemaining()) {
			at += out.write(data, at);
		}
	}

	/**
	 * Gives the copy the first free name of {@code base.ckpt}, {@code base-2.ckpt}, ...: a hard link
	 * either makes the name or fails because it exists, so no file is ever replaced, not even one
	 * that appears meanwhile.
	 */
	private static Path giveFreeName(Path tmp, Path directory, String base) throws IOException {
		for (int i = 1;; i++) {
			Path candidate = directory.resolve((i == 1 ? base : base + "-" + i) + SnapshotStore.EXTENSION); //$NON-NLS-1$
			if (Files.exists(candidate)) {
				continue;
			}
			try {
				Files.createLink(candidate, tmp);
				Files.delete(tmp);
				return candidate;
			} catch (FileAlreadyExistsException e) {
				// taken meanwhile: the next name
			} catch (UnsupportedOperationException | FileSystemException e) {
				// a file system without hard links: a move that refuses an existing name
				try {
					Files.move(tmp, candidate);
					return candidate;
				} catch (FileAlreadyExistsException taken) {
					// the next name
				}
			}
		}
	}
}
