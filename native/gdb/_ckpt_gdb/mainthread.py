"""gdb's main thread, which is the ptrace tracer, and the extension's own Python threads (the
control socket's, the background save's writer).  Those threads never touch the inferior:
they hand work to the main thread with post()."""

import atexit
import ctypes
import os
import signal
import threading

import gdb


def block_signals():
    """Called first in each of the extension's Python threads.  A Python thread inherits gdb's
    main-thread mask; it must not take gdb's signals (SIGCHLD, SIGINT) away from the main
    thread."""
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    except (OSError, ValueError):
        pass


class _Posted:
    """The callables handed to gdb.post_event that gdb has not run yet.  gdb 13 crashes at exit
    when one is left: it drops it after Python is finalized, and with -batch it exits right
    after the last command, without running them.  Kept on the gdb module, so that it outlives
    a reload of the extension (an earlier copy's events count too)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pending = 0
        self.exit_code = 0
        atexit.register(self.at_python_exit)

    def at_python_exit(self):
        """Python's own exit, the last step of gdb's: the program has been killed or detached
        and the history written.  With an event left, end here, as gdb would have."""
        if not self.pending:
            return
        try:
            for stream in (gdb.STDOUT, gdb.STDERR, gdb.STDLOG):
                gdb.flush(stream)
        except Exception:
            pass
        try:
            ctypes.CDLL(None).fflush(None)
        finally:
            os._exit(self.exit_code)


def watch_exit():
    """At load: the exit hook is registered now, so that the Python exit handlers registered
    after it (the later ones run first) still run."""
    _posted()


def _posted():
    p = getattr(gdb, "_ckpt_posted", None)
    if p is None:
        p = _Posted()
        gdb._ckpt_posted = p
    return p


def post(fn):
    """gdb.post_event(fn), from any thread: fn runs on the main thread when gdb next turns to
    its event loop."""
    p = _posted()
    with p.lock:
        p.pending += 1

    def run():
        with p.lock:
            p.pending -= 1
        fn()

    try:
        gdb.post_event(run)
    except Exception:
        with p.lock:
            p.pending -= 1
        raise


def note_exit_code(code):
    """gdb.events.gdb_exiting: the code gdb exits with, for at_python_exit."""
    _posted().exit_code = code if code is not None else 0
