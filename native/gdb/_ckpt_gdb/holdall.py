"""Every thread of the program held stopped from inside a breakpoint's stop() method, for a
snappoint's capture.

When gdb 13 on Linux asks stop() whether to stop, only the thread that hit the breakpoint is
in a ptrace stop: gdb runs its native target in non-stop mode even in all-stop, so the other
threads still run (and gdb calls them all running).  The engine needs every thread in a ptrace
stop.  stop() runs on gdb's main thread, which is their tracer, so this module stops the
running ones itself with a SIGSTOP (tgkill), and sees them stopped in /proc without waiting for
them, so that gdb's own wait finds nothing taken from it.

Afterwards such a thread must go on exactly as gdb had resumed it, which may have been a
single step (over a breakpoint, in gdb's displaced-stepping buffer, or for `next`); a
PTRACE_CONT of ours would let it run freely from there.  So gdb resumes it itself: the thread
gets a SIGSTOP once more and stops in it at once, gdb collects that stop, and gdb drops such
SIGSTOPs quietly (`handle SIGSTOP nostop noprint nopass`) until it has collected them all,
then the user's setting comes back.

A thread may also be in a stop that gdb has not collected yet (waitid with WNOWAIT tells, and
leaves it there), which the capture would consume, since the engine resumes each thread for
the system calls it injects.  If that stop is a trap at one of gdb's breakpoints, the thread
is captured with its pc back at the breakpoint and then resumed there: it hits the breakpoint
again, and gdb collects that.  Any other such stop, or a thread that stops on its own just
before our SIGSTOP reaches it, means no save at this hit."""

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
_SI_KERNEL = 0x80     # a trap from int3
_TRAP_BRKPT = 1
_WALL = 0x40000000
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


def _ours(si):
    return si.signo == signal.SIGSTOP and si.code == _SI_TKILL and si.pid == os.getpid()


def _uncollected(tid):
    """Whether the thread is in a stop that no wait has reported yet (the report stays)."""
    try:
        return os.waitid(os.P_PID, tid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT | _WALL) is not None
    except ChildProcessError:
        return False


def _tgkill(pid, tid, sig):
    return _libc.syscall(_SYS_TGKILL, pid, tid, sig) == 0


class Held:
    """hold() stops what runs; release() hands it all back to gdb as it was."""

    def __init__(self, threads, event_tid, breakpoint_addrs):
        self.threads = threads            # (pid, tid) of every thread gdb has in the tree
        self.event_tid = event_tid        # the thread that hit the breakpoint: gdb collected it
        self.breakpoint_addrs = breakpoint_addrs
        self.ours = []                    # (pid, tid) stopped by our SIGSTOP
        self.strays = []                  # (pid, tid) stopped on their own before it arrived
        self.rehit = []                   # tids at a breakpoint trap that gdb has not collected

    def hold(self):
        """Raises CkptError, with everything handed back, when this hit cannot be saved."""
        self._check_new_threads()
        for pid, tid in self.threads:
            if tid != self.event_tid and _run_state(pid, tid) == "t" and _uncollected(tid):
                self._take_breakpoint_trap(pid, tid)
        sent = [(p, t) for p, t in self.threads if _run_state(p, t) not in (None, "t") and _tgkill(p, t, signal.SIGSTOP)]
        deadline = time.monotonic() + _STOP_TIMEOUT
        waiting = list(sent)
        while waiting:
            waiting = [(p, t) for p, t in waiting if _run_state(p, t) not in (None, "t")]
            if waiting and time.monotonic() > deadline:
                self._sort(sent)
                self.strays += waiting  # our SIGSTOP reaches them later, for gdb
                self.release()
                raise CkptError("thread %d did not stop" % waiting[0][1])
            if waiting:
                time.sleep(0.0005)
        self._sort(sent)
        if self.strays:
            tid = self.strays[0][1]
            self.release()
            raise CkptError("thread %d stopped on its own meanwhile" % tid)

    def _check_new_threads(self):
        known = {t for _, t in self.threads}
        for pid in {p for p, _ in self.threads}:
            try:
                born = {int(t) for t in os.listdir("/proc/%d/task" % pid)} - known
            except OSError:
                born = set()
            if any(_run_state(pid, t) for t in born):
                raise CkptError("a thread is being created")

    def _take_breakpoint_trap(self, pid, tid):
        """A thread stopped at one of gdb's int3s that gdb has not collected: its pc is moved
        back to the breakpoint for the capture (where gdb would put it)."""
        try:
            si = _siginfo(tid)
            if si.signo == signal.SIGTRAP and si.code in (_SI_KERNEL, _TRAP_BRKPT):
                regs = _Regs()
                _ptrace(_PTRACE_GETREGS, tid, ctypes.byref(regs))
                at = regs.rip - 1
                with open("/proc/%d/mem" % pid, "rb", buffering=0) as mem:
                    mem.seek(at)
                    int3 = mem.read(1) == b"\xcc"
                if at in self.breakpoint_addrs and int3:
                    regs.rip = at
                    _ptrace(_PTRACE_SETREGS, tid, ctypes.byref(regs))
                    self.rehit.append(tid)
                    return
        except OSError:
            pass
        self.release()
        raise CkptError("thread %d has an event that gdb has not collected yet" % tid)

    def _sort(self, sent):
        for pid, tid in sent:
            if _run_state(pid, tid) == "t":
                (self.ours if _ours(_siginfo(tid)) else self.strays).append((pid, tid))

    def release(self):
        for tid in self.rehit:
            try:
                _ptrace(_PTRACE_CONT, tid, None)  # into the breakpoint again
            except OSError:
                pass
        # gdb collects a SIGSTOP stop of each of ours and resumes it as it had it going (a step
        # stays a step): the first one, if the capture left it there, else a new one, which
        # it stops in at once.  The strays' SIGSTOP is still queued for gdb.
        for pid, tid in self.ours:
            try:
                if not (_uncollected(tid) and _ours(_siginfo(tid))) and _tgkill(pid, tid, signal.SIGSTOP):
                    _ptrace(_PTRACE_CONT, tid, None)
            except OSError:
                pass
        if self.ours or self.strays:
            QuietSigstops.expect(self.ours + self.strays)
        self.rehit, self.ours, self.strays = [], [], []


class QuietSigstops:
    """Our SIGSTOPs that gdb has yet to act on: until each of those threads has been seen
    running again (gdb collected the stop and resumed it), gdb drops SIGSTOP quietly (`handle
    SIGSTOP nostop noprint nopass`); then the user's setting comes back.  A stop that gdb has
    collected may wait in gdb for a while before it acts on it, so only a running thread
    counts.  Checked at gdb's stop, continue (every resume, gdb's own ones too) and exit
    events; no timer, since an event posted to gdb as it exits crashes gdb 13."""

    pending = {}   # tid -> pid
    saved = None   # the user's `handle SIGSTOP` words, while armed

    @classmethod
    def expect(cls, threads):
        if cls.saved is None:
            text = gdb.execute("info signals SIGSTOP", to_string=True)
            m = re.search(r"^SIGSTOP\s+(\S+)\s+(\S+)\s+(\S+)", text, re.M)
            yes = [w == "Yes" for w in m.groups()] if m else [True, True, True]
            cls.saved = " ".join(("" if y else "no") + w for y, w in zip(yes, ("stop", "print", "pass")))
            gdb.execute("handle SIGSTOP nostop noprint nopass", to_string=True)
        cls.pending.update({tid: pid for pid, tid in threads})

    @staticmethod
    def _running_again(pid, tid):
        st = _run_state(pid, tid)
        if st is None:
            return True  # gone
        if st == "t":
            return False
        try:
            with open("/proc/%d/task/%d/status" % (pid, tid)) as f:
                m = re.search(r"^SigPnd:\s*([0-9a-f]+)", f.read(), re.M)
            return not (m and int(m.group(1), 16) & (1 << (signal.SIGSTOP - 1)))
        except OSError:
            return True

    @classmethod
    def check(cls, event=None):
        if cls.saved is None:
            return
        cls.pending = {t: p for t, p in cls.pending.items() if not cls._running_again(p, t)}
        if cls.pending:
            return
        saved, cls.saved = cls.saved, None
        try:
            gdb.execute("handle SIGSTOP " + saved, to_string=True)
        except gdb.error:
            pass
