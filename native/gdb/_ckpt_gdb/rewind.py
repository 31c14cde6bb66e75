"""Going back in place: when the snapshot was saved in this session from the very process that
gdb debugs now, stopped, the engine puts that process back as the snapshot has it
(ckpt_rewind), writing back only what changed since, instead of restarting it.  gdb keeps the
same process, so nothing is detached or attached again.  Where the engine cannot do it that way
it says why (shown with CKPT_DEBUG=1) and the caller restarts the snapshot instead."""

import ctypes
import os

import gdb

from . import save, timeline
from .engine import ENGINE, RewindResult
from .inferior import connection_type, inserted_breakpoint_bytes, thread_running
from .restart import restart, when_stopped
from .statefiles import resolve
from .session import state

# -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND, -ERESTART_RESTARTBLOCK: a thread stopped
# inside a system call that the kernel restarts when it runs again.
_RESTARTING = (-512, -513, -514, -516)


def refreshing():
    """Whether the stop gdb reports now is the one that shows a rewound program (autosave and
    snappoints leave it alone: it is a snapshot already)."""
    return state("rewind", refreshing=False).refreshing


def _debug(why):
    if os.environ.get("CKPT_DEBUG"):
        gdb.write("ckpt: not in place: %s\n" % why, gdb.STDERR)


def _selected_thread_in_syscall():
    try:
        frame = gdb.newest_frame()
        orig = int(frame.read_register("orig_rax"))
        rax = int(frame.read_register("rax"))
    except (gdb.error, ValueError):
        return True
    if rax >= 1 << 63:
        rax -= 1 << 64
    if orig >= 1 << 63:
        orig -= 1 << 64
    return orig >= 0 and rax in _RESTARTING


def back_to(path, done, interactive=False, after_stop=False):
    """Brings the program back to statefile path: in place when it can (go), else by restarting
    it in this gdb (restart.restart, asking as gdb's kill does when interactive)."""
    if not go(resolve(path), done, after_stop):
        restart(path, interactive, done)


def go(path, done, after_stop=False):
    """Puts the program back to statefile path in place, then has gdb report a stop there, so
    that every front end (CDT's Debug view as much as gdb's CLI) shows the saved thread and frame
    afresh: the saved thread jumps to where it is, onto a temporary breakpoint of ours, and stops
    at once; only that thread runs.  done(result, error) is called once the program is put back
    and the jump is under way, or with after_stop once gdb has reported the stop.  Returns False
    when it cannot be done in place (the caller restarts the snapshot; a program already put
    back is replaced by that too): where the saved thread sits inside a system call that the
    kernel would restart, a jump would cancel the restart."""
    r = rewind(path)
    if r is None:
        return False
    inf = gdb.selected_inferior()
    if gdb.selected_thread() is None or _selected_thread_in_syscall():
        _debug("the saved thread is inside a system call: no stop can be shown there")
        return False
    pc = int(gdb.newest_frame().pc())
    st = state("rewind", refreshing=False)
    locking = gdb.parameter("scheduler-locking")
    locked = locking != "on" and not gdb.parameter("non-stop")

    def finish(error=None):
        st.refreshing = False
        if locked:
            try:
                gdb.execute("set scheduler-locking %s" % locking, to_string=True)
            except gdb.error:
                pass
        if error:
            error = "ckpt: the program was put back, but %s" % error
        else:
            timeline.record_restart(path, inf.pid, {})  # at it again: the jump counted as a resume
        if after_stop:
            done(None if error else r, error)
        elif error:
            gdb.write(error + "\n", gdb.STDERR)

    bp = gdb.Breakpoint("*0x%x" % pc, internal=True, temporary=True)
    # Not silent: MI's *stopped then carries the thread and the frame, which front ends need
    # (the CLI shows it as "Temporary breakpoint -N").
    st.refreshing = True
    if not after_stop:
        done(r, None)
    try:
        if locked:
            gdb.execute("set scheduler-locking on", to_string=True)
        gdb.execute("jump *0x%x" % pc, to_string=True)
    except gdb.error as e:
        if bp.is_valid():
            bp.delete()
        finish(str(e).strip())
        return True
    when_stopped(inf, finish, finish)
    return True


def rewind(path):
    """Puts the selected inferior back to statefile path in place.  Returns the result (as
    restart's, with "in_place": True), or None when it must be restarted instead."""
    if os.environ.get("CKPT_REWIND") == "0":
        return None
    inf = gdb.selected_inferior()
    if not inf.pid or connection_type(inf) != "native":
        return None
    if any(thread_running(t) for t in inf.threads()):
        _debug("the program is running")
        return None
    tracker = save.session_tracker(create=False)
    if not tracker:
        return None
    # A save still being written holds the tracker and a clone of the program: let it end.
    save.BackgroundSave.finish_before_use()
    # Breakpoints that gdb keeps inserted (non-stop, always-inserted): the snapshot has the
    # original bytes there, so they go back in after the rewind.
    inserted = inserted_breakpoint_bytes(inf)
    lib = ENGINE.load()
    res = RewindResult()
    if lib.ckpt_rewind(tracker, inf.pid, os.fsencode(path), ctypes.byref(res)) != 0:
        why = ENGINE.error()
        if res.damaged:
            # Half put back: a restart replaces it, which is the way out.
            gdb.write("ckpt: %s\n" % why, gdb.STDERR)
        else:
            _debug(why)
        return None
    if inserted:
        try:
            with open("/proc/%d/mem" % inf.pid, "r+b", buffering=0) as mem:
                for addr, data in inserted:
                    mem.seek(addr)
                    mem.write(data)
        except OSError as e:
            gdb.write("ckpt: cannot insert the breakpoints again (%s)\n" % e, gdb.STDERR)
            return None  # the restart replaces the program
    # gdb's copies of registers and memory are of the program before.
    gdb.execute("maintenance flush register-cache", to_string=True)
    gdb.execute("maintenance flush dcache", to_string=True)
    for t in inf.threads():
        if t.ptid[1] == res.stop_tid:
            t.switch()
            break
    save.saved_again(inf.pid, path)
    e = timeline.record_restart(path, inf.pid, {})
    return {"ok": True, "in_place": True, "pid": inf.pid, "threads": res.threads, "path": path,
            "written_bytes": res.written_bytes, "ms": round(res.total_ns / 1e6, 3), "timeline": e["num"]}
