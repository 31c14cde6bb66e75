package io.ckpt.core;

/**
 * A thread saved in a statefile.
 *
 * @param tid    thread id when saved
 * @param pc     program counter, as {@code 0x...}
 * @param symbol nearest ELF symbol with offset; may be {@code null}
 * @param name   the thread's name (comm)
 */
public record SavedThread(long tid, String pc, String symbol, String name) {
}
