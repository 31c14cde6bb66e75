"""The gdb commands: ckpt save, ckpt restart, ckpt info, ckpt list, ckpt status (the time-travel
ones are in timetravel).  Every failure is one line (gdb.GdbError), never a Python traceback."""

import os

import gdb

from . import VERSION, CkptError
from . import server
from .engine import ENGINE
from .inferior import thread_running
from .restart import restart
from .save import BackgroundSave, save, saved_line
from .statefiles import ckpt_dir, human, list_statefiles, resolve


def register():
    """Creates the commands; gdb replaces commands of the same names from an earlier load."""
    CkptPrefix()
    CkptSave()
    CkptRestart()
    CkptInfo()
    CkptList()
    CkptStatus()


def _gdb_error(e):
    return gdb.GdbError(str(e).splitlines()[0] if str(e) else type(e).__name__)


def guard(fn):
    """Runs a command body; any failure becomes one line (gdb.GdbError), never a traceback."""
    def wrapped(self, arg, from_tty):
        try:
            return fn(self, arg, from_tty)
        except gdb.GdbError:
            raise
        except (CkptError, gdb.error, OSError, ValueError) as e:
            raise _gdb_error(e)
        except KeyboardInterrupt:
            raise gdb.GdbError("ckpt: interrupted")
        except Exception as e:
            raise gdb.GdbError("ckpt: internal error: %s: %s" % (type(e).__name__, e))
    return wrapped


def _argv(arg, usage, most):
    try:
        argv = gdb.string_to_argv(arg or "")
    except Exception:
        raise gdb.GdbError("usage: " + usage)
    if len(argv) > most:
        raise gdb.GdbError("usage: " + usage)
    return argv


class CkptPrefix(gdb.Command):
    """Checkpoint/restart of the program being debugged.

ckpt save [-b | -w] [-l LABEL] [FILE]  save all threads at the current stop into a statefile
ckpt restart FILE           restart a statefile stopped and attach this gdb to it
ckpt info FILE              describe a statefile
ckpt list [DIR]             list the statefiles in DIR ($CKPT_DIR or the current directory)
ckpt status                 extension and engine versions, the IDE control socket, and
                            where statefiles go
ckpt snappoint LOCATION [if COND]  save at each hit and go on (ckpt snappoint list|delete N)
ckpt timeline               the session's snapshots, oldest first, with their branches
ckpt back [N] | ckpt forward  restart an earlier or later snapshot of the timeline here
ckpt label [--note] [N|FILE] TEXT  set a snapshot's label (or note), kept in its statefile
ckpt diff A B               the locals, arguments, globals and pages that differ
ckpt auto [off|breakpoint|suspend] [DIR]  save on its own at each breakpoint stop (or every stop)"""

    def __init__(self):
        super().__init__("ckpt", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE, True)


class CkptSave(gdb.Command):
    """Save the program, all threads, at the current stop: ckpt save [-b | -w] [-l LABEL] [FILE]

Without FILE the name is PROGRAM-YYYYMMDD-HHMMSS.ckpt in $CKPT_DIR, else the current
directory.  The thread that stopped is the first thread in the statefile.  If the program
is running (background execution, non-stop), it is interrupted, saved and resumed.
Typed at a terminal (or with -b, --background), gdb comes back as soon as the program may
run again and the memory is written in the background; the "Saved" line follows when the
file is complete.  From scripts and MI (or with -w, --wait) the command returns once the
file is complete.  -l (--label) gives the snapshot a label, kept in the statefile; the save
joins the session's timeline (ckpt timeline)."""

    def __init__(self):
        super().__init__("ckpt save", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        usage = "usage: ckpt save [-b | -w] [-l LABEL] [FILE]"
        argv = _argv(arg, usage[7:], 5)
        # At a terminal the prompt comes back after the pause; scripts and MI wait for the file.
        background = bool(from_tty) and os.isatty(0)
        label = None
        while argv and argv[0] in ("-b", "--background", "-w", "--wait", "-l", "--label"):
            if argv[0] in ("-l", "--label"):
                if len(argv) < 2:
                    raise gdb.GdbError(usage)
                label, argv = argv[1], argv[2:]
                continue
            background = argv[0] in ("-b", "--background")
            argv = argv[1:]
        if len(argv) > 1 or (argv and argv[0].startswith("-") and argv[0] != "-"):
            raise gdb.GdbError(usage)

        def done(result, error):
            if error:
                gdb.write(error + "\n", gdb.STDERR)
            else:
                gdb.write(saved_line(result) + "\n")

        inf = gdb.selected_inferior()
        was_running = inf.pid and any(thread_running(t) for t in inf.threads())
        if not save(argv[0] if argv else None, done, background, label=label):
            if was_running:
                gdb.write("ckpt: interrupting the program to save it...\n")
            else:
                cur = BackgroundSave.current
                gdb.write("ckpt: the program may go on (paused %.1f ms); writing %s in the background...\n"
                          % (cur.pause_ms if cur else 0.0, cur.path if cur else "the statefile"))


class CkptRestart(gdb.Command):
    """Restart a statefile and attach this gdb to it: ckpt restart FILE

A program that gdb started (or that ckpt restarted) is killed first, asking as `kill` asks;
one that you attached to is detached; a core file is closed.  You land in the thread and
frame where it was saved."""

    def __init__(self):
        super().__init__("ckpt restart", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        argv = _argv(arg, "ckpt restart FILE", 1)
        if not argv:
            raise gdb.GdbError("usage: ckpt restart FILE")

        def done(r, error):
            if error:
                gdb.write(error + "\n", gdb.STDERR)
            else:
                gdb.write("Restarted %s: pid %d, %d threads in %d ms\n" % (r["path"], r["pid"], r["threads"],
                                                                          int(round(r["ms"]))))

        restart(argv[0], True, done)


class CkptInfo(gdb.Command):
    """Describe a statefile: ckpt info FILE"""

    def __init__(self):
        super().__init__("ckpt info", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        argv = _argv(arg, "ckpt info FILE", 1)
        if not argv:
            raise gdb.GdbError("usage: ckpt info FILE")
        try:
            text = ENGINE.info(resolve(argv[0]), False)
        except CkptError as e:
            raise CkptError("ckpt info: %s" % e)
        gdb.write(text.rstrip("\n") + "\n")


class CkptList(gdb.Command):
    """List statefiles: ckpt list [DIR]  (default: $CKPT_DIR, else the current directory)"""

    def __init__(self):
        super().__init__("ckpt list", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        argv = _argv(arg, "ckpt list [DIR]", 1)
        ENGINE.load()
        d, items = list_statefiles(argv[0] if argv else None)
        if not items:
            gdb.write("No statefiles in %s.\n" % d)
            return
        gdb.write("Statefiles in %s:\n" % d)
        for it in items:
            name = os.path.basename(it["path"])
            if not it["ok"]:
                gdb.write("  %-40s  unreadable: %s\n" % (name, it["error"]))
                continue
            gdb.write("  %-40s  %s  %s  %s thread%s  %s  %s\n" % (
                name, it["time"] or "?", os.path.basename(it["program"] or "?"), it["threads"],
                "" if it["threads"] == 1 else "s", human(it["stored_bytes"] or 0), it["stop"]))


class CkptStatus(gdb.Command):
    """Show the extension and engine versions, the control socket and where statefiles go: ckpt status"""

    def __init__(self):
        super().__init__("ckpt status", gdb.COMMAND_STATUS, gdb.COMPLETE_NONE)

    @guard
    def invoke(self, arg, from_tty):
        gdb.write("ckpt gdb extension %s (protocol %d)\n" % (VERSION, server.PROTOCOL_VERSION))
        try:
            gdb.write("engine %s: %s\n" % (ENGINE.version(), ENGINE.path))
        except gdb.GdbError as e:
            gdb.write("engine: %s\n" % e)
        srv = server.SERVER
        gdb.write("control socket: %s\n" % (srv.path if srv and srv.path else "not listening"
                                            + (" (%s)" % srv.problem if srv and srv.problem else "")))
        gdb.write("statefiles go to: %s\n" % ckpt_dir())
