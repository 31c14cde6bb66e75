"""gdb's main thread, which is the ptrace tracer, and the extension's own Python threads (the
control socket's, the background save's writer).  Those threads never touch the inferior:
they hand work to the main thread with gdb.post_event."""

import signal


def block_signals():
    """Called first in each of the extension's Python threads.  A Python thread inherits gdb's
    main-thread mask; it must not take gdb's signals (SIGCHLD, SIGINT) away from the main
    thread."""
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    except (OSError, ValueError):
        pass
