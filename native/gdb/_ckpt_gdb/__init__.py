"""ckpt's gdb extension.  ckpt-gdb.py, next to this package, loads it; its modules:

engine      the engine, libckpt, through ctypes
inferior    what gdb's inferiors and threads are doing, breakpoint bytes, the stop location
mainthread  gdb's main thread and the extension's own Python threads
statefiles  where statefiles go by default, and listing them
session     what the session keeps when the extension is sourced again
timeline    the session's snapshots with their parent links and branches, and where the
            program is
save        ckpt save: capture, background save, interrupt-and-resume
holdall     every thread held stopped from inside a breakpoint's stop(), for snappoints
snappoints  breakpoints that save and let the program go on
autosave    automatic snapshots: a background save right after a stop (ckpt auto)
labels      a statefile's label and note, set in place through the ckpt command
diff        ckpt diff: frames, globals and pages of two statefiles compared
statedump   not imported: the script that ckpt diff runs in a batch gdb on one statefile
sigstop     the SIGSTOPs that gdb's attach to a stopped process leaves behind
restart     ckpt restart: restart with the ckpt command, attach, land in the saved thread
packed      ckpt pack, and a packed statefile's embedded files as gdb's sysroot
server      the control socket for the IDE (protocol: native/gdb/PROTOCOL.md)
commands    the gdb commands and their help texts (timetravel: the time-travel ones)
lifecycle   what loading the extension does, and undoes when it is loaded again

Everything that touches the inferior runs on gdb's main thread, which is the ptrace tracer:
CLI commands run there already, and requests from the control socket are handed over with
mainthread.post (gdb.post_event)."""

VERSION = "0.1.0"


class CkptError(Exception):
    """A failure with a one-line reason for the user; turned into gdb.GdbError at the CLI."""
