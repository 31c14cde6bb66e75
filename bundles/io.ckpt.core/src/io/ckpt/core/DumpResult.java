package io.ckpt.core;

import java.nio.file.Path;

/**
 * What {@code ckpt dump} reports.
 *
 * @param path         the statefile written
 * @param processes    processes saved
 * @param threads      threads saved
 * @param mappedBytes  memory mapped in all
 * @param storedBytes  memory written into the file
 * @param fileBytes    apparent size of the file
 * @param freezeMillis how long the program was stopped
 * @param totalMillis  how long the dump took
 */
public record DumpResult(Path path, int processes, int threads, long mappedBytes, long storedBytes, long fileBytes,
		double freezeMillis, double totalMillis) {
}
