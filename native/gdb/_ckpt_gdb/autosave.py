"""Automatic snapshots: with `ckpt auto breakpoint` (or the socket's auto op) every stop at a
breakpoint saves the program in the background, as `ckpt save -b` does; with `ckpt auto
suspend` every stop at a breakpoint, at the end of a step and at a signal does.  The program is
frozen in gdb's stop event, so the debugger is back after the freeze and the file is written
while the user looks or steps on.  The setting lives in the session's
state, which outlives a reload of the extension."""

import datetime
import os

import gdb

from . import CkptError
from . import rewind, timeline
from .inferior import program_name, thread_running
from .mainthread import post
from .save import BackgroundSave, save
from .session import state

MODES = ("off", "breakpoint", "suspend")

# Stops that are not the program's own: gdb's and ckpt's interrupts, an attach's SIGSTOP.
_NOT_A_SUSPEND = ("SIGINT", "SIGSTOP", "0", "GDB_SIGNAL_0")


def _state():
    return state("autosave", mode="off", dir=None, saved=0, skipped=0, failed=0, last_error=None,
                 last_path=None, resumed=False, process=None, pending=None)


def configure(mode, directory=None):
    """Sets the mode; directory is where the statefiles go (None: where they went before, at
    first $CKPT_DIR or gdb's current directory)."""
    if mode not in MODES:
        raise CkptError("ckpt auto: the mode is one of %s, not %r" % (", ".join(MODES), mode))
    if directory is not None:
        directory = os.path.abspath(os.path.expanduser(directory))
        if not os.path.isdir(directory):
            raise CkptError("ckpt auto: no such directory: %s" % directory)
    st = _state()
    st.mode = mode
    if mode == "off" and st.pending is not None:
        st.pending = None  # that stop is not saved now
        st.skipped += 1
    if directory is not None:
        st.dir = directory
    return status()


def status(settle=False):
    """The mode and counts; with settle (the CLI), a save in flight of a stopped program is
    waited for first, so that it counts."""
    if settle:
        BackgroundSave.settle()
    st = _state()
    return {"mode": st.mode, "dir": st.dir, "saved": st.saved, "skipped": st.skipped, "failed": st.failed,
            "last_error": st.last_error, "last_path": st.last_path}


def origin_of(event, mode):
    """What a stop makes under the mode: breakpoint, step or automatic (a signal); None for
    no save."""
    if mode == "off":
        return None
    if isinstance(event, gdb.BreakpointEvent):
        return "breakpoint"
    if mode != "suspend":
        return None
    if isinstance(event, gdb.SignalEvent):
        return None if event.stop_signal in _NOT_A_SUSPEND else "automatic"
    return "step"  # end of a step, next, finish or until


def on_cont(event):
    """gdb.events.cont: the program runs, so its next stop may be a new state; a stop that
    waited for the last file is gone unsaved."""
    st = _state()
    st.resumed = True
    if st.pending is not None:
        st.pending = None
        st.skipped += 1


def _process(inf):
    """(pid, start time): a restarted program often gets its old pid back."""
    try:
        with open("/proc/%d/stat" % inf.pid) as f:
            s = f.read()
        return inf.pid, int(s[s.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return inf.pid, None


def on_stop(event):
    """gdb.events.stop: freeze the program for an automatic save right at the stop, before gdb
    runs its next command (from a script or -batch, gdb runs it at once, and an event posted for
    later would find the program running again).  The stops of an attach do not count (ckpt restart, back and forward attach to a program whose
    state is a snapshot already; an attach resumes threads on its way): the first stop of a
    process that gdb attached to, and any stop without a resume since the last one."""
    st = _state()
    if rewind.refreshing():
        st.resumed = False
        return
    inf = gdb.selected_inferior()
    process = _process(inf) if inf.pid else None
    attach_stop = process != st.process and bool(inf.pid and inf.was_attached)
    st.process = process
    resumed, st.resumed = st.resumed, False
    if attach_stop or not resumed:
        return
    origin = origin_of(event, st.mode)
    if origin is not None:
        try:
            _save_now(origin)
        except Exception as e:  # a bug here must not break gdb's report of the stop
            _failed("%s: %s" % (type(e).__name__, e))


def _path(inf, directory):
    d = directory or os.environ.get("CKPT_DIR") or os.getcwd()
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")[:-3]  # steps come faster than seconds
    base = os.path.join(os.path.expanduser(d), "%s-%s" % (program_name(inf), stamp))
    path, n = base + ".ckpt", 2
    while os.path.exists(path):
        path, n = "%s-%d.ckpt" % (base, n), n + 1
    return path


def _save_now(origin):
    st = _state()
    if st.mode == "off":
        return
    inf = gdb.selected_inferior()
    try:
        if not inf.pid or any(thread_running(t) for t in inf.threads()):
            return  # resumed or gone already: no stop to save
    except (gdb.error, RuntimeError):
        return
    cur, exact = timeline.current()
    if cur is not None and exact:
        return  # still exactly at a snapshot (just saved or restarted): nothing new to keep
    busy = BackgroundSave.current
    if busy is not None:
        if busy.outcome is None:
            # The last file is still being written: never make a stop wait for it.  If the
            # program is still here when that save is done, this stop is saved then.
            st.pending = origin
            return
        busy.finish_now()  # written: only its clone is left to drop, which takes no time

    def done(result, error):
        if error:
            _failed(error)
        else:
            st.saved += 1
            st.last_path = result["path"]
        if st.pending is not None:
            # On the main thread: saved now, while the program is still at that stop (from a
            # script, gdb may run it on before a posted event would run); unless the tracker
            # is wanted for something else right now.
            later, st.pending = st.pending, None
            if BackgroundSave.deferring:
                post(lambda: _save_now(later))
            else:
                _save_now(later)

    try:
        save(_path(inf, st.dir), done, True, origin)
    except (CkptError, gdb.error, OSError) as e:
        _failed(str(e))


def _failed(error):
    st = _state()
    st.failed += 1
    if error != st.last_error:  # once per reason, not at every step
        gdb.write("ckpt auto: %s (automatic snapshots go on; ckpt auto off stops them)\n" % error, gdb.STDERR)
    st.last_error = error
