package io.ckpt.core;

import java.util.List;

/**
 * A process of the saved tree.
 *
 * @param pid         process id when saved
 * @param ppid        parent process id
 * @param pgid        process group
 * @param sid         session
 * @param comm        short name
 * @param executable  path of the executable
 * @param cwd         working directory
 * @param args        command line
 * @param threads     its threads, the one that stopped first
 * @param mappings    number of memory mappings
 * @param storedBytes memory written into the statefile
 * @param mappedBytes memory mapped in all
 * @param files       open file descriptors
 */
public record SavedProcess(long pid, long ppid, long pgid, long sid, String comm, String executable, String cwd,
		List<String> args, List<SavedThread> threads, int mappings, long storedBytes, long mappedBytes,
		List<SavedFile> files) {
}
