"""The gdb commands: ckpt save, ckpt restart, ckpt info, ckpt check, ckpt pack, ckpt list, ckpt
status (the time-travel ones are in timetravel).  Every failure is one line (gdb.GdbError), never
a Python traceback."""

import json
import os

import gdb

from . import VERSION, CkptError
from . import packed, server
from .engine import ENGINE
from .inferior import executable, thread_running
from .restart import restart
from .save import BackgroundSave, save, saved_line
from .statefiles import ckpt_dir, human, list_statefiles, resolve


def register():
    """Creates the commands; gdb replaces commands of the same names from an earlier load."""
    CkptPrefix()
    CkptSave()
    CkptRestart()
    CkptInfo()
    CkptCheck()
    CkptPack()
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

ckpt save [-b | -w] [-l LABEL] [--allow-unrestorable] [FILE]
                            save all threads at the current stop into a statefile
ckpt restart FILE [--map-path OLD=NEW]...
                            restart a statefile stopped and attach this gdb to it
ckpt info FILE              describe a statefile (of a packed one, read its embedded files)
ckpt check FILE [--json] [--map-path OLD=NEW]...
                            whether a statefile can restart on this machine
ckpt pack FILE -o OUT [--with-files]
                            make OUT, a statefile that carries its files for another machine
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
joins the session's timeline (ckpt timeline).  A program holding something restart cannot
rebuild (a socket of a kind it does not know, a kernel object without a name, a deleted file)
is refused, naming the fd; --allow-unrestorable saves it anyway, and restart gives those fds
back as /dev/null."""

    def __init__(self):
        super().__init__("ckpt save", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        usage = "usage: ckpt save [-b | -w] [-l LABEL] [--allow-unrestorable] [FILE]"
        argv = _argv(arg, usage[7:], 6)
        # At a terminal the prompt comes back after the pause; scripts and MI wait for the file.
        background = bool(from_tty) and os.isatty(0)
        label = None
        allow_unrestorable = False
        while argv and argv[0] in ("-b", "--background", "-w", "--wait", "-l", "--label", "--allow-unrestorable"):
            if argv[0] in ("-l", "--label"):
                if len(argv) < 2:
                    raise gdb.GdbError(usage)
                label, argv = argv[1], argv[2:]
                continue
            if argv[0] == "--allow-unrestorable":
                allow_unrestorable, argv = True, argv[1:]
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
        if not save(argv[0] if argv else None, done, background, label=label,
                    allow_unrestorable=allow_unrestorable):
            if was_running:
                gdb.write("ckpt: interrupting the program to save it...\n")
            else:
                cur = BackgroundSave.current
                gdb.write("ckpt: the program may go on (paused %.1f ms); writing %s in the background...\n"
                          % (cur.pause_ms if cur else 0.0, cur.path if cur else "the statefile"))


def _map_path_options(argv, usage):
    """Splits --map-path OLD=NEW (or --map-path=OLD=NEW), repeatable, from the other arguments."""
    maps, rest = [], []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--map-path":
            if i + 1 >= len(argv):
                raise gdb.GdbError("usage: " + usage)
            maps.append(argv[i + 1])
            i += 2
            continue
        if a.startswith("--map-path="):
            maps.append(a[len("--map-path="):])
        else:
            rest.append(a)
        i += 1
    for m in maps:
        old, eq, new = m.partition("=")
        if not eq or not old.startswith("/") or not new.startswith("/"):
            raise gdb.GdbError("ckpt: --map-path needs OLD=NEW, both absolute paths (got '%s')" % m)
    return maps, rest


class CkptRestart(gdb.Command):
    """Restart a statefile and attach this gdb to it: ckpt restart FILE [--map-path OLD=NEW]...

A program that gdb started (or that ckpt restarted) is killed first, asking as `kill` asks;
one that you attached to is detached; a core file is closed.  You land in the thread and
frame where it was saved.  --map-path OLD=NEW (repeatable): files the program had open and
its working directory under OLD that are missing here are used from under NEW."""

    def __init__(self):
        super().__init__("ckpt restart", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        usage = "ckpt restart FILE [--map-path OLD=NEW]..."
        maps, argv = _map_path_options(_argv(arg, usage, 64), usage)
        if len(argv) != 1 or argv[0].startswith("-"):
            raise gdb.GdbError("usage: " + usage)

        def done(r, error):
            if error:
                gdb.write(error + "\n", gdb.STDERR)
            else:
                gdb.write("Restarted %s: pid %d, %d threads in %d ms\n" % (r["path"], r["pid"], r["threads"],
                                                                          int(round(r["ms"]))))

        restart(argv[0], True, done, map_paths=maps)


class CkptInfo(gdb.Command):
    """Describe a statefile: ckpt info FILE"""

    def __init__(self):
        super().__init__("ckpt info", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        argv = _argv(arg, "ckpt info FILE", 1)
        if not argv:
            raise gdb.GdbError("usage: ckpt info FILE")
        path = resolve(argv[0])
        try:
            text = ENGINE.info(path, False)
            desc = json.loads(ENGINE.info(path, True))
        except CkptError as e:
            raise CkptError("ckpt info: %s" % e)
        gdb.write(text.rstrip("\n") + "\n")
        # A packed file: gdb reads its embedded files (`core-file FILE` then shows it as saved).
        sysroot = packed.sysroot_for(path, desc)
        if sysroot:
            exe = packed.use_sysroot(sysroot, not executable(gdb.selected_inferior()))
            gdb.write("ckpt: gdb now reads the files embedded in %s from %s (sysroot, solib-search-path, "
                      "debug-file-directory%s)\n" % (path, sysroot, ", the executable" if exe else ""))


class CkptPack(gdb.Command):
    """Make a statefile that restarts on another machine: ckpt pack FILE -o OUT [--with-files]

OUT is FILE with the executable, every shared library and their separate debug info embedded
(--with-files: also the small files the program had open).  Run it where FILE was saved."""

    def __init__(self):
        super().__init__("ckpt pack", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        usage = "ckpt pack FILE -o OUT [--with-files]"
        argv = _argv(arg, usage, 4)
        with_files = "--with-files" in argv
        argv = [a for a in argv if a != "--with-files"]
        if len(argv) != 3 or argv[1] != "-o":
            raise gdb.GdbError("usage: " + usage)
        path, out = resolve(argv[0]), os.path.abspath(os.path.expanduser(argv[2]))
        r = packed.pack(path, out, with_files)
        gdb.write(packed.packed_line(path, out, r) + "\n")
        gdb.write(packed.secrets_warning(out, with_files) + "\n", gdb.STDERR)


class CkptCheck(gdb.Command):
    """Whether a statefile can restart on this machine: ckpt check FILE [--json] [--map-path OLD=NEW]...

The report lists the files its mappings come from, the CPU's instruction sets and xsave
layout, the vDSO, the files it had open and its working directory, the kernel and the user,
with a remedy for each problem, as the ckpt command's `ckpt check` does.  --map-path as for
ckpt restart: the report shows the mapped paths."""

    def __init__(self):
        super().__init__("ckpt check", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        usage = "ckpt check FILE [--json] [--map-path OLD=NEW]..."
        maps, argv = _map_path_options(_argv(arg, usage, 64), usage)
        as_json = "--json" in argv
        argv = [a for a in argv if a != "--json"]
        if len(argv) != 1 or argv[0].startswith("-"):
            raise gdb.GdbError("usage: " + usage)
        try:
            text, problems = ENGINE.check(resolve(argv[0]), as_json, maps)
        except CkptError as e:
            raise CkptError("ckpt check: %s" % e)
        # A report with problems is still an answer, not a failure of the command.
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
