"""The SIGSTOPs that gdb 13's attach leaves behind when the process was already stopped
(group-stop), as a process that ckpt restarted stopped is.  Without this, `continue` stops
again with "received signal SIGSTOP"."""

import ctypes
import os
import re

import gdb

from .engine import ENGINE
from .inferior import connection_type, thread_running

_SETTLED = set()  # (inferior num, pid, start time) already settled after an attach


def _start_time(pid):
    """Tells apart two processes with one pid: a statefile restarted twice gets its saved pid
    both times."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return int(s[s.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return None


def settle_attached(inf):
    """After gdb attached to a process that was in group-stop (a restarted statefile), gdb 13
    has left a SIGSTOP queued in each thread and would report it later as a stray stop.  The
    engine consumes them; threads without one are left alone, so this is harmless for any
    other attach.  Runs once per attached process."""
    key = (inf.num, inf.pid, _start_time(inf.pid) if inf.pid else None)
    if not inf.pid or not inf.was_attached or key in _SETTLED:
        return
    if connection_type(inf) not in (None, "native"):
        return
    _SETTLED.add(key)
    try:
        lib = ENGINE.load()
    except gdb.GdbError:
        return
    tids = [t.ptid[1] for t in inf.threads() if not thread_running(t)]
    if not tids:
        return
    arr = (ctypes.c_int * len(tids))(*tids)
    if lib.ckpt_discard_pending_sigstop(arr, len(tids)) != 0:
        gdb.write("ckpt: warning: %s\n" % ENGINE.error(), gdb.STDERR)


def on_any_stop(event):
    """gdb.events.stop: the first stop after any attach (gdb -p, attach, ckpt restart)."""
    try:
        settle_attached(gdb.selected_inferior())
    except Exception:
        pass


class SigstopGuard:
    """Non-stop only.  There gdb 13's attach to a group-stopped process reports the SIGSTOP of
    each other thread as a stop of its own ("Thread N received signal SIGSTOP"), and would
    pass that SIGSTOP back to the program when the thread is resumed: the whole process would
    stop again, over and over.  So SIGSTOP is not passed (`handle SIGSTOP nopass`) until each
    of those threads has been resumed once; then the user's setting comes back."""

    state = {}        # tid -> 0: its SIGSTOP not reported yet, 1: reported, not resumed since
    saved = None      # the user's "pass" setting for SIGSTOP, while armed

    @classmethod
    def arm(cls, pid):
        try:
            tids = {int(t) for t in os.listdir("/proc/%d/task" % pid)} - {pid}
        except OSError:
            return
        if not tids:
            return
        if cls.saved is None:
            text = gdb.execute("info signals SIGSTOP", to_string=True)
            m = re.search(r"^SIGSTOP\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
            cls.saved = (m.group(3) == "Yes") if m else True
            gdb.execute("handle SIGSTOP nopass", to_string=True)
        for t in tids:
            cls.state[t] = 0

    @classmethod
    def on_stop(cls, event):
        t = getattr(event, "inferior_thread", None)
        if cls.saved is None or t is None or not isinstance(event, gdb.SignalEvent):
            return
        if event.stop_signal == "SIGSTOP" and cls.state.get(t.ptid[1]) == 0:
            cls.state[t.ptid[1]] = 1

    @classmethod
    def on_cont(cls, event):
        if cls.saved is None:
            return
        t = getattr(event, "inferior_thread", None)
        resumed = [t] if t is not None else gdb.selected_inferior().threads()
        for x in resumed:
            if x.is_valid() and cls.state.get(x.ptid[1]) == 1:
                del cls.state[x.ptid[1]]
        if not cls.state:
            cls.disarm()

    @classmethod
    def on_exit(cls, event):
        cls.disarm()

    @classmethod
    def disarm(cls):
        if cls.saved is not None:
            saved, cls.saved = cls.saved, None
            cls.state = {}
            try:
                gdb.execute("handle SIGSTOP %s" % ("pass" if saved else "nopass"), to_string=True)
            except gdb.error:
                pass
