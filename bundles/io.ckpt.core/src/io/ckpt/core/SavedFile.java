package io.ckpt.core;

/**
 * An open file descriptor saved in a statefile.
 *
 * @param fd       descriptor number
 * @param kind     {@code file}, {@code pipe}, {@code char-device}, {@code socket}, ...
 * @param access   {@code r}, {@code w} or {@code rw}
 * @param path     what it refers to
 * @param position file offset
 */
public record SavedFile(int fd, String kind, String access, String path, long position) {
}
