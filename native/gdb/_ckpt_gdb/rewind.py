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
from .inferior import connection_type, thread_running


def _debug(why):
    if os.environ.get("CKPT_DEBUG"):
        gdb.write("ckpt: not in place: %s\n" % why, gdb.STDERR)


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
    bg = save.BackgroundSave.current
    if bg is not None:
        bg.finish_now()
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
