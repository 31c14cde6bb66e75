package io.ckpt.core;

import java.nio.file.Path;

/**
 * What packing a statefile for another machine made ({@link Engine#pack}, {@code ckpt pack}).
 *
 * @param statefile        the statefile packed
 * @param packed           the packed statefile written
 * @param files            files embedded (a file under two paths counts once)
 * @param debugFiles       of them, separate debug info
 * @param skippedOpenFiles with the files it had open: those left out (too large, or no longer the ones open)
 * @param embeddedBytes    bytes of the embedded files
 * @param statefileBytes   size of the statefile packed
 * @param fileBytes        size of the packed statefile
 */
public record PackResult(Path statefile, Path packed, int files, int debugFiles, int skippedOpenFiles, long embeddedBytes,
		long statefileBytes, long fileBytes) {
}
