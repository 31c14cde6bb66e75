"""Every thread of the program held stopped from inside a breakpoint's stop() method, for a
snappoint's capture.

When gdb 13 on Linux asks stop() whether to stop, only the thread that hit the breakpoint is
in a ptrace stop: gdb runs its native target in non-stop mode even in all-stop, so the other
threads still run (and gdb calls them all running).  The engine needs every thread in a ptrace
stop.  stop() runs on gdb's main thread, which is their tracer, so this module stops the
running ones itself: a SIGSTOP sent with tgkill, the stop seen in /proc (no waitpid, so gdb's
own wait finds nothing of ours), then, after the capture, PTRACE_CONT with the SIGSTOP
discarded.  gdb never learns that they stopped.

Two races are handled.  A thread may stop on its own (hit a breakpoint, get a signal) just
before the SIGSTOP reaches it: it keeps its own stop for gdb, and the SIGSTOP stays queued, so
gdb is told to drop exactly one SIGSTOP quietly until none is queued any more.  And a thread
that hit a breakpoint which gdb has not collected yet still has its pc after the int3 (gdb
backs it up when it collects the event): it is captured with the pc at the breakpoint, and its
pc is put back afterwards."""

import ctypes
import os
import re
import signal
import time

import gdb

from . import CkptError

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
_libc.syscall.restype = ctypes.c_long
_SYS_TGKILL = 234
_PTRACE_CONT, _PTRACE_GETREGS, _PTRACE_SETREGS, _PTRACE_GETSIGINFO = 7, 12, 13, 0x4202
_SI_TKILL = -6
_STOP_TIMEOUT = 5.0


class _Siginfo(ctypes.Structure):
    _fields_ = [("signo", ctypes.c_int), ("errno", ctypes.c_int), ("code", ctypes.c_int), ("pad", ctypes.c_int),
                ("pid", ctypes.c_int), ("uid", ctypes.c_int), ("rest", ctypes.c_uint8 * 104)]


class _Regs(ctypes.Structure):  # struct user_regs_struct, x86-64
    _fields_ = [(n, ctypes.c_uint64) for n in (
        "r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9", "r8", "rax", "rcx", "rdx", "rsi", "rdi",
        "orig_rax", "rip", "cs", "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs", "gs")]


def _run_state(pid, tid):
    """The thread's state letter in /proc ('t': in a ptrace stop), None once it is gone."""
    try:
        with open("/proc/%d/task/%d/stat" % (pid, tid)) as f:
            s = f.read()
        st = s[s.rindex(")") + 2]
    except (OSError, ValueError, IndexError):
        return None
    return None if st in "ZX" else st


def _ptrace(request, tid, data=None):
    if _libc.ptrace(request, tid, None, data) < 0:
        e = ctypes.get_errno()
        raise OSError(e, "ptrace(%d) on thread %d: %s" % (request, tid, os.strerror(e)))


def _siginfo(tid):
    si = _Siginfo()
    _ptrace(_PTRACE_GETSIGINFO, tid, ctypes.byref(si))
    return si


def _sigstop_queued(pid, tid):
    try:
        with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
            m = re.search(r"^SigPnd:\s*([0-9a-f]+)", f.read(), re.M)
        return bool(m and int(m.group(1), 16) & (1 << (signal.SIGSTOP - 1)))
    except OSError:
        return False


class Held:
    """hold() stops what runs; release() lets exactly that go again, as it was."""

    def __init__(self, threads, event_tid, breakpoint_addrs):
        self.threads = threads            # (pid, tid) of every thread gdb has in the tree
        self.event_tid = event_tid        # the thread that hit the breakpoint: gdb collected it
        self.breakpoint_addrs = breakpoint_addrs
        self.ours = []                    # stopped here: resumed by release()
        self.strays = []                  # stopped on their own before our SIGSTOP arrived
        self.backed_up = []               # (tid, regs as they were)

    def hold(self):
        pids = {p for p, _ in self.threads}
        known = {t for _, t in self.threads}
        for pid in pids:
            try:
                born = {int(t) for t in os.listdir("/proc/%d/task" % pid)} - known
            except OSError:
                born = set()
            if any(_run_state(pid, t) for t in born):
                raise CkptError("a thread is being created")
        sent = []
        for pid, tid in self.threads:
            st = _run_state(pid, tid)
            if st is None or st == "t":
                continue
            if _libc.syscall(_SYS_TGKILL, pid, tid, signal.SIGSTOP) == 0:
                sent.append((pid, tid))
        deadline = time.monotonic() + _STOP_TIMEOUT
        waiting = list(sent)
        while waiting:
            waiting = [(p, t) for p, t in waiting if _run_state(p, t) not in (None, "t")]
            if waiting and time.monotonic() > deadline:
                self._sort(sent)
                self.release()
                raise CkptError("thread %d did not stop" % waiting[0][1])
            if waiting:
                time.sleep(0.0005)
        self._sort(sent)
        self._back_up_breakpoint_pcs()

    def _sort(self, sent):
        for pid, tid in sent:
            if _run_state(pid, tid) != "t":
                continue
            si = _siginfo(tid)
            if si.signo == signal.SIGSTOP and si.code == _SI_TKILL and si.pid == os.getpid():
                self.ours.append(tid)
            else:
                self.strays.append((pid, tid))

    def _back_up_breakpoint_pcs(self):
        """Threads in a SIGTRAP stop that gdb has not collected, right after one of gdb's int3s."""
        ours = set(self.ours)
        for pid, tid in self.threads:
            if tid == self.event_tid or tid in ours or _run_state(pid, tid) != "t":
                continue
            try:
                if _siginfo(tid).signo != signal.SIGTRAP:
                    continue
                regs = _Regs()
                _ptrace(_PTRACE_GETREGS, tid, ctypes.byref(regs))
                at = regs.rip - 1
                if at not in self.breakpoint_addrs:
                    continue
                with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
                    mem.seek(at)
                    if mem.read(1) != b"\xcc":
                        continue
                saved = _Regs.from_buffer_copy(regs)
                regs.rip = at
                _ptrace(_PTRACE_SETREGS, tid, ctypes.byref(regs))
                self.backed_up.append((tid, saved))
            except OSError:
                continue

    def release(self):
        for tid, regs in self.backed_up:
            try:
                _ptrace(_PTRACE_SETREGS, tid, ctypes.byref(regs))
            except OSError:
                pass
        self.backed_up = []
        for tid in self.ours:
            try:
                _ptrace(_PTRACE_CONT, tid, None)  # the SIGSTOP is discarded
            except OSError:
                pass
        self.ours = []
        if self.strays:
            StraySigstops.expect(self.strays)
            self.strays = []


class StraySigstops:
    """SIGSTOPs of ours still queued in threads that stopped on their own first: gdb drops
    SIGSTOP quietly (`handle SIGSTOP nostop noprint nopass`) until none is queued, then the
    user's setting comes back."""

    pending = []   # (pid, tid)
    saved = None   # the user's `handle SIGSTOP` words, while armed

    @classmethod
    def expect(cls, threads):
        if cls.saved is None:
            text = gdb.execute("info signals SIGSTOP", to_string=True)
            m = re.search(r"^SIGSTOP\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
            yes = [w == "Yes" for w in m.groups()] if m else [True, True, True]
            cls.saved = " ".join(("" if y else "no") + w for y, w in zip(yes, ("stop", "print", "pass")))
            gdb.execute("handle SIGSTOP nostop noprint nopass", to_string=True)
        cls.pending += threads

    @classmethod
    def check(cls, event=None):
        """gdb.events.stop, cont and exited: restores the user's setting once none is queued."""
        if cls.saved is None:
            return
        cls.pending = [(p, t) for p, t in cls.pending if _run_state(p, t) and _sigstop_queued(p, t)]
        if not cls.pending:
            saved, cls.saved = cls.saved, None
            try:
                gdb.execute("handle SIGSTOP " + saved, to_string=True)
            except gdb.error:
                pass
