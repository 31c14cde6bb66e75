# ckpt gdb extension: `ckpt save`, `ckpt restart`, `ckpt info`, `ckpt list`, `ckpt status`,
# and a control socket for the IDE.
#
# Load it with `source <prefix>/share/ckpt/ckpt-gdb.py`.  It finds the engine relative to
# itself (<prefix>/lib/libckpt.so), or in $CKPT_HOME/lib.  Everything that touches the
# inferior runs on gdb's main thread, which is the ptrace tracer: CLI commands run there
# already, and requests from the control socket are handed over with gdb.post_event.
# The socket protocol is documented in PROTOCOL.md next to this file in the source tree.

import ctypes
import datetime
import json
import os
import re
import signal
import socket
import struct
import subprocess
import threading
import time

import gdb

EXTENSION_VERSION = "0.1.0"
PROTOCOL_VERSION = 1


# --------------------------------------------------------------------------------------------
# The engine, through ctypes.  Layouts match native/include/ckpt.h field by field.
# --------------------------------------------------------------------------------------------

class _Patch(ctypes.Structure):
    _fields_ = [
        ("addr", ctypes.c_uint64),
        ("len", ctypes.c_uint32),
        ("bytes", ctypes.c_uint8 * 16),
    ]


_PROGRESS = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_uint64, ctypes.c_uint64)


class _CaptureOptions(ctypes.Structure):
    _fields_ = [
        ("release", ctypes.c_int),
        ("first_tid", ctypes.c_int),  # pid_t
        ("stop_function", ctypes.c_char_p),
        ("stop_file", ctypes.c_char_p),
        ("stop_line", ctypes.c_uint),
        ("patches", ctypes.POINTER(_Patch)),
        ("npatches", ctypes.c_size_t),
        ("from_debugger", ctypes.c_int),
        ("progress", _PROGRESS),
        ("progress_arg", ctypes.c_void_p),
        ("parent", ctypes.c_char_p),
        ("tracker", ctypes.c_void_p),
    ]


class _CaptureResult(ctypes.Structure):
    _fields_ = [
        ("processes", ctypes.c_uint32),
        ("threads", ctypes.c_uint32),
        ("mapped_bytes", ctypes.c_uint64),
        ("stored_bytes", ctypes.c_uint64),
        ("file_bytes", ctypes.c_uint64),
        ("freeze_ns", ctypes.c_uint64),
        ("total_ns", ctypes.c_uint64),
        ("parent_bytes", ctypes.c_uint64),
    ]


class _RestartOptions(ctypes.Structure):
    _fields_ = [
        ("mode", ctypes.c_int),
        ("use_namespace", ctypes.c_int),
        ("lazy", ctypes.c_int),
    ]


class _RestartResult(ctypes.Structure):
    _fields_ = [
        ("pid", ctypes.c_int),
        ("saved_pid", ctypes.c_int),
        ("in_namespace", ctypes.c_int),
        ("processes", ctypes.c_uint32),
        ("threads", ctypes.c_uint32),
        ("total_ns", ctypes.c_uint64),
    ]


_CKPT_RESTART_STOPPED = 1
_CKPT_LEAVE_RUNNING = 0


def _here():
    try:
        return os.path.dirname(os.path.abspath(__file__))
    except NameError:  # not sourced from a file
        return os.getcwd()


_HERE = _here()  # __file__ is only defined while gdb sources this file


def _engine_candidates():
    out = []
    home = os.environ.get("CKPT_HOME")
    if home:
        out.append(os.path.join(home, "lib", "libckpt.so"))
    # Installed layout: <prefix>/share/ckpt/ckpt-gdb.py and <prefix>/lib/libckpt.so.
    out.append(os.path.normpath(os.path.join(_HERE, "..", "..", "lib", "libckpt.so")))
    # Source layout: native/gdb/ckpt-gdb.py next to native/build/lib/libckpt.so.
    out.append(os.path.normpath(os.path.join(_HERE, "..", "build", "lib", "libckpt.so")))
    return out


class _Engine:
    def __init__(self):
        self.lib = None
        self.path = None

    def load(self):
        """The loaded engine, or a GdbError that names every place tried."""
        if self.lib is not None:
            return self.lib
        tried = []
        for cand in _engine_candidates():
            if not os.path.exists(cand):
                tried.append(cand)
                continue
            try:
                lib = ctypes.CDLL(cand)
            except OSError as e:
                raise gdb.GdbError("ckpt: cannot load the engine %s: %s" % (cand, e))
            self._declare(lib)
            self.lib, self.path = lib, cand
            return lib
        raise gdb.GdbError("ckpt: the engine libckpt.so is missing (tried %s; set CKPT_HOME)" % ", ".join(tried))

    @staticmethod
    def _declare(lib):
        lib.ckpt_version.restype = ctypes.c_char_p
        lib.ckpt_version.argtypes = []
        lib.ckpt_format_version.restype = ctypes.c_int
        lib.ckpt_format_version.argtypes = []
        lib.ckpt_last_error.restype = ctypes.c_char_p
        lib.ckpt_last_error.argtypes = []
        lib.ckpt_capture.restype = ctypes.c_int
        lib.ckpt_capture.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_size_t, ctypes.c_char_p,
                                     ctypes.POINTER(_CaptureOptions), ctypes.POINTER(_CaptureResult)]
        lib.ckpt_capture_start.restype = ctypes.c_void_p
        lib.ckpt_capture_start.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_int), ctypes.c_size_t, ctypes.c_char_p,
                                           ctypes.POINTER(_CaptureOptions)]
        lib.ckpt_capture_pause_ns.restype = ctypes.c_uint64
        lib.ckpt_capture_pause_ns.argtypes = [ctypes.c_void_p]
        lib.ckpt_capture_finish.restype = ctypes.c_int
        lib.ckpt_capture_finish.argtypes = [ctypes.c_void_p, ctypes.POINTER(_CaptureResult)]
        lib.ckpt_capture_cleanup.restype = None
        lib.ckpt_capture_cleanup.argtypes = [ctypes.c_void_p]
        lib.ckpt_tracker_new.restype = ctypes.c_void_p
        lib.ckpt_tracker_new.argtypes = []
        lib.ckpt_command_path.restype = ctypes.c_char_p
        lib.ckpt_command_path.argtypes = []
        lib.ckpt_restart.restype = ctypes.c_int
        lib.ckpt_restart.argtypes = [ctypes.c_char_p, ctypes.POINTER(_RestartOptions), ctypes.POINTER(_RestartResult)]
        lib.ckpt_discard_pending_sigstop.restype = ctypes.c_int
        lib.ckpt_discard_pending_sigstop.argtypes = [ctypes.POINTER(ctypes.c_int), ctypes.c_size_t]
        lib.ckpt_info.restype = ctypes.c_void_p
        lib.ckpt_info.argtypes = [ctypes.c_char_p, ctypes.c_int]
        lib.ckpt_free.restype = None
        lib.ckpt_free.argtypes = [ctypes.c_void_p]
        # The structs above mirror ckpt.h: refuse an engine whose layouts differ.
        lib.ckpt_struct_size.restype = ctypes.c_size_t
        lib.ckpt_struct_size.argtypes = [ctypes.c_char_p]
        for name, cls in ((b"ckpt_patch", _Patch), (b"ckpt_capture_options", _CaptureOptions),
                          (b"ckpt_capture_result", _CaptureResult), (b"ckpt_restart_options", _RestartOptions),
                          (b"ckpt_restart_result", _RestartResult)):
            if lib.ckpt_struct_size(name) != ctypes.sizeof(cls):
                raise gdb.GdbError("ckpt: this extension does not match the engine (struct %s is %d bytes there, %d here)"
                                   % (name.decode(), lib.ckpt_struct_size(name), ctypes.sizeof(cls)))

    def error(self):
        msg = self.lib.ckpt_last_error() if self.lib else None
        return msg.decode("utf-8", "replace") if msg else "unknown engine error"

    def version(self):
        return self.load().ckpt_version().decode()

    def info(self, path, as_json):
        lib = self.load()
        p = lib.ckpt_info(os.fsencode(path), 1 if as_json else 0)
        if not p:
            raise CkptError(self.error())
        try:
            return ctypes.string_at(p).decode("utf-8", "replace")
        finally:
            lib.ckpt_free(p)


ENGINE = _Engine()


class CkptError(Exception):
    """A failure with a one-line reason for the user; turned into gdb.GdbError at the CLI."""


# --------------------------------------------------------------------------------------------
# Looking at the inferior.
# --------------------------------------------------------------------------------------------

def _connection_type(inf):
    conn = getattr(inf, "connection", None)
    if conn is not None:
        return getattr(conn, "type", None)
    # Older gdb: read the target stack.
    try:
        text = gdb.execute("info target", to_string=True)
    except gdb.error:
        return None
    if "Local core dump file" in text:
        return "core"
    if "Using the running image of" in text:
        return "native"
    return None


def _thread_running(t):
    try:
        return t.is_running()
    except gdb.error:
        return False


def _executable(inf):
    name = None
    try:
        name = inf.progspace.filename if inf.progspace else None
    except (gdb.error, RuntimeError):
        name = None
    if not name and inf.pid:
        try:
            name = os.readlink("/proc/%d/exe" % inf.pid)
        except OSError:
            name = None
    return name


def _inferior_state(inf):
    ctype = _connection_type(inf)
    if ctype == "core":
        return "core"
    if not inf.pid:
        return "no-process"
    threads = inf.threads()
    running = [t for t in threads if _thread_running(t)]
    if not running:
        return "stopped"
    if len(running) == len(threads):
        return "running"
    return "partly-running"


def _check_live(inf, what):
    """Raises CkptError unless inf is a live local process that ckpt can work on."""
    ctype = _connection_type(inf)
    if ctype == "core":
        raise CkptError("%s needs a live process, and this is a core file (a statefile already is one)" % what)
    if not inf.pid:
        raise CkptError("%s: the program is not being run" % what)
    if ctype is not None and ctype != "native":
        raise CkptError("%s works on local processes only, not over a %s target" % (what, ctype))
    if not inf.threads():
        raise CkptError("%s: the program has no threads (has it exited?)" % what)


def _descendant_of(pid, root):
    seen = 0
    while pid > 1 and seen < 64:
        if pid == root:
            return True
        try:
            with open("/proc/%d/stat" % pid) as f:
                s = f.read()
            pid = int(s[s.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            return False
        seen += 1
    return pid == root


def _held_tids(inf):
    """Every thread gdb holds in the tree rooted at inf: its own, and those of other inferiors
    that are its descendants (follow-fork with detach-on-fork off)."""
    tids = [t.ptid[1] or t.ptid[0] for t in inf.threads()]
    for other in gdb.inferiors():
        if other.num == inf.num or not other.pid or _connection_type(other) != "native":
            continue
        if _descendant_of(other.pid, inf.pid):
            tids += [t.ptid[1] or t.ptid[0] for t in other.threads()]
    return tids


_ADDR_RE = re.compile(r"\b0x([0-9a-fA-F]{4,16})\b")


def _breakpoint_patches(inf):
    """Original bytes under software breakpoints that gdb keeps inserted in memory.

    gdb shows memory with its own breakpoint bytes hidden; /proc/PID/mem shows what is really
    there.  Where they differ at a breakpoint address, the byte gdb shows is the original."""
    addrs = set()
    try:
        text = gdb.execute("maint info breakpoints", to_string=True)
    except gdb.error:
        text = ""
    for line in text.splitlines():
        for m in _ADDR_RE.finditer(line):
            addrs.add(int(m.group(1), 16))
    for bp in gdb.breakpoints():
        for loc in getattr(bp, "locations", []) or []:
            try:
                if loc.address:
                    addrs.add(int(loc.address))
            except (gdb.error, RuntimeError):
                pass
    patches = []
    if not addrs:
        return patches
    try:
        mem = open("/proc/%d/mem" % inf.pid, "rb", buffering=0)
    except OSError:
        return patches
    with mem:
        for a in sorted(addrs):
            try:
                mem.seek(a)
                real = mem.read(1)
                shown = bytes(inf.read_memory(a, 1))
            except (OSError, ValueError, OverflowError, gdb.error, gdb.MemoryError):
                continue
            if len(real) == 1 and real != shown:
                patches.append((a, shown))
    return patches


def _stop_location(thread):
    """(function, file, line) of the newest frame of thread, as gdb knows them."""
    func = fname = None
    line = 0
    prev = gdb.selected_thread()
    prev_frame = None
    try:
        prev_frame = gdb.selected_frame()
    except gdb.error:
        pass
    try:
        if prev is None or prev.ptid != thread.ptid:
            thread.switch()
        f = gdb.newest_frame()
        func = f.name()
        sal = f.find_sal()
        if sal is not None and sal.symtab is not None:
            try:
                fname = sal.symtab.fullname()
            except (gdb.error, RuntimeError):
                fname = sal.symtab.filename
            line = sal.line or 0
    except (gdb.error, RuntimeError):
        pass
    finally:
        try:
            if prev is not None and prev.is_valid() and prev.ptid != thread.ptid:
                prev.switch()
            if prev_frame is not None and prev_frame.is_valid():
                prev_frame.select()
        except (gdb.error, RuntimeError):
            pass
    return func, fname, line


def _program_name(inf):
    exe = _executable(inf)
    if exe:
        return os.path.basename(exe)
    try:
        with open("/proc/%d/comm" % inf.pid) as f:
            return f.read().strip() or "program"
    except OSError:
        return "program"


def _ckpt_dir():
    d = os.environ.get("CKPT_DIR")
    return os.path.expanduser(d) if d else os.getcwd()


def _default_path(inf):
    d = _ckpt_dir()
    os.makedirs(d, exist_ok=True)
    stem = "%s-%s" % (_program_name(inf), datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    path = os.path.join(d, stem + ".ckpt")
    n = 2
    while os.path.exists(path):  # two saves within one second
        path = os.path.join(d, "%s-%d.ckpt" % (stem, n))
        n += 1
    return path


def _resolve(path):
    return os.path.abspath(os.path.expanduser(path))


# --------------------------------------------------------------------------------------------
# Save.
# --------------------------------------------------------------------------------------------

# The last statefile saved of each program in this session: the next save of that program is
# incremental against it (pages that did not change are shared where the file system can).
_LAST_SAVE = {}
_TRACKER = []  # the session's ckpt_tracker: saves after the first read only what was written


def _tracker():
    if not _TRACKER:
        _TRACKER.append(ENGINE.load().ckpt_tracker_new())
    return _TRACKER[0]


class _Capture:
    """The arguments of one capture, kept alive for as long as the engine may read them."""

    def __init__(self, inf, path, first_thread):
        self.inf = inf
        self.pid = inf.pid
        self.path = path
        tids = _held_tids(inf)
        self.ntids = len(tids)
        self.tids = (ctypes.c_int * len(tids))(*tids)
        o = _CaptureOptions()
        o.release = _CKPT_LEAVE_RUNNING
        o.from_debugger = 1
        if first_thread is None or not first_thread.is_valid():
            first_thread = gdb.selected_thread()
        func = fname = None
        line = 0
        if first_thread is not None:
            o.first_tid = first_thread.ptid[1] or first_thread.ptid[0]
            func, fname, line = _stop_location(first_thread)
        self.func = func.encode("utf-8", "replace") if func else None
        self.file = os.fsencode(fname) if fname else None
        o.stop_function = self.func
        o.stop_file = self.file
        o.stop_line = line
        patches = _breakpoint_patches(inf)
        self.npatches = len(patches)
        self.parr = None
        if patches:
            self.parr = (_Patch * len(patches))()
            for i, (addr, orig) in enumerate(patches):
                self.parr[i].addr = addr
                self.parr[i].len = len(orig)
                for k, b in enumerate(orig):
                    self.parr[i].bytes[k] = b
            o.patches = self.parr
            o.npatches = len(patches)
        parent = _LAST_SAVE.get(self.pid)
        self.bparent = None
        if parent and os.path.abspath(parent) != os.path.abspath(path) and os.path.isfile(parent):
            self.bparent = os.fsencode(parent)
            o.parent = self.bparent
        o.tracker = _tracker()
        self.opts = o
        self.bpath = os.fsencode(path)

    def result(self, res, **extra):
        r = {
            "path": self.path,
            "processes": res.processes,
            "threads": res.threads,
            "bytes": res.stored_bytes,
            "file_bytes": res.file_bytes,
            "mapped_bytes": res.mapped_bytes,
            "ms": round(res.total_ns / 1e6, 3),
            "freeze_ms": round(res.freeze_ns / 1e6, 3),
            "patches": self.npatches,
            "parent": os.fsdecode(self.bparent) if self.bparent else None,
            "parent_bytes": res.parent_bytes,
        }
        r.update(extra)
        _LAST_SAVE[self.pid] = self.path
        return r


def _capture_now(inf, path, first_thread):
    """Captures the stopped inferior into path in one go, on this (the tracer) thread.
    Every thread of inf must be stopped."""
    lib = ENGINE.load()
    c = _Capture(inf, path, first_thread)
    res = _CaptureResult()
    if lib.ckpt_capture(c.pid, c.tids, c.ntids, c.bpath, ctypes.byref(c.opts), ctypes.byref(res)) != 0:
        raise CkptError("ckpt save: " + ENGINE.error())
    return c.result(res, background=False)


def _saved_line(r):
    return "Saved %s: %d threads, %.1f MiB in %d ms" % (
        r["path"], r["threads"], r["bytes"] / (1024.0 * 1024.0), int(round(r["ms"])))


_LATER = object()  # an action that calls done itself, later


class _BackgroundSave:
    """A save that gives gdb back as soon as the program may run again.

    On the tracer thread, ckpt_capture_start freezes what it needs and makes a copy-on-write
    clone that serves the memory; a Python thread writes the file (ckpt_capture_finish), while
    gdb, and the program if the user resumes it, go on; back on the tracer thread,
    ckpt_capture_cleanup drops the clone, which needs the program stopped: at once if it is,
    else at its next stop, else after a short interrupt."""

    current = None  # the save in flight, if any
    GRACE = 0.5     # seconds to wait for a stop of its own before interrupting for the cleanup

    def __init__(self, inf, path, done):
        self.inf = inf
        self.path = path
        self.done = done
        self.job = None
        self.thread = None
        self.outcome = None  # (result, error) once written
        self.reported = False
        self.waiting = None
        self.resumed = False  # set when it was running, was interrupted, and runs again

    def start(self, first_thread):
        lib = ENGINE.load()
        c = _Capture(self.inf, self.path, first_thread)
        self.capture = c
        self.pid = c.pid
        job = lib.ckpt_capture_start(c.pid, c.tids, c.ntids, c.bpath, ctypes.byref(c.opts))
        if not job:
            raise CkptError("ckpt save: " + ENGINE.error())
        self.job = job
        self.pause_ms = lib.ckpt_capture_pause_ns(job) / 1e6
        _BackgroundSave.current = self
        self.thread = threading.Thread(target=self._write, name="ckpt-save", daemon=True)
        self.thread.start()
        return _LATER

    def _write(self):  # a Python thread
        _block_signals()
        lib = ENGINE.lib
        res = _CaptureResult()
        try:
            if lib.ckpt_capture_finish(self.job, ctypes.byref(res)) == 0:
                self.outcome = (self.capture.result(res, background=True), None)
            else:
                self.outcome = (None, "ckpt save: " + ENGINE.error())  # the error is per thread
        except Exception as e:
            self.outcome = (None, "ckpt save: %s: %s" % (type(e).__name__, e))
        gdb.post_event(self._written)

    def _gone(self):
        inf = self.inf
        return not inf.is_valid() or inf.pid != self.pid

    def _stopped(self):
        return not any(_thread_running(t) for t in self.inf.threads())

    def _written(self):  # main thread
        if self._gone() or self._stopped():
            self._cleanup()
            return
        # Running: wait a little for a stop of its own (unless it runs because we resumed it
        # after interrupting it for this save), then interrupt it.
        grace = 0.0 if self.resumed else self.GRACE

        def on_stop(event):
            if self._gone() or self._stopped():
                self._unwait()
                gdb.post_event(self._cleanup)

        def on_exit(event):
            self._unwait()
            gdb.post_event(self._cleanup)

        timer = threading.Timer(grace, lambda: gdb.post_event(self._force))
        timer.daemon = True
        self.waiting = (on_stop, on_exit, timer)
        gdb.events.stop.connect(on_stop)
        gdb.events.exited.connect(on_exit)
        timer.start()

    def _unwait(self):
        if self.waiting:
            on_stop, on_exit, timer = self.waiting
            self.waiting = None
            timer.cancel()
            for reg, h in ((gdb.events.stop, on_stop), (gdb.events.exited, on_exit)):
                try:
                    reg.disconnect(h)
                except Exception:
                    pass

    def _force(self):
        if self.waiting is None:
            return
        self._unwait()
        if self._gone() or self._stopped():
            self._cleanup()
            return

        def action(first):
            self._cleanup(report=False)
            return {}

        def failed(result, error):  # reported once the program runs again; or, if it
            self._cleanup()         # exited or did not stop, with the clone dropped anyway

        _Interrupted(self.inf, action, failed, "ckpt save").start()

    def _cleanup(self, report=True):
        if self.job is not None:
            ENGINE.lib.ckpt_capture_cleanup(self.job)
            self.job = None
        if _BackgroundSave.current is self:
            _BackgroundSave.current = None
        if report:
            self._report()

    def _report(self):
        if self.reported:
            return
        self.reported = True
        result, error = self.outcome or (None, "ckpt save: lost track of the background save")
        if result is not None:
            result["freeze_ms"] = round(self.pause_ms, 3)
            result["resumed"] = self.resumed
        self.done(result, error)

    @classmethod
    def drain(cls, timeout=120.0):
        """At gdb's exit: let a save in flight finish its file, then drop its clone."""
        cur = cls.current
        if cur is None:
            return
        if cur.thread is not None:
            cur.thread.join(timeout)
        cur._unwait()
        if cur.job is not None:
            ENGINE.lib.ckpt_capture_cleanup(cur.job)
            cur.job = None
        cls.current = None


class _Interrupted:
    """Runs action(first_thread) on a running inferior: interrupt it, run the action at the
    stop, then resume the threads that were running, unless they stopped on their own."""

    def __init__(self, inf, action, done, what, first_thread=None):
        self.inf = inf
        self.action = action
        self.done = done  # (result or None, error or None), unless action returned _LATER
        self.what = what
        self.first_thread = first_thread
        self.running = []
        self.finished = False
        self.timer = None
        self.connected = False
        self.keep_stopped = set()  # threads that stopped on their own (non-stop)
        self.keep_all = False      # all-stop: the program stopped on its own

    def start(self, timeout=20.0):
        self.running = [t for t in self.inf.threads() if _thread_running(t)]
        non_stop = bool(gdb.parameter("non-stop"))
        gdb.events.stop.connect(self.on_stop)
        gdb.events.exited.connect(self.on_exit)
        self.connected = True
        try:
            gdb.execute("interrupt -a" if non_stop else "interrupt", to_string=True)
        except gdb.error as e:
            self.finish(None, "%s: cannot interrupt the program: %s" % (self.what, e))
            return
        if timeout:
            self.timer = threading.Timer(timeout, lambda: gdb.post_event(self.on_timeout))
            self.timer.daemon = True
            self.timer.start()

    def _disconnect(self):
        if self.connected:
            self.connected = False
            for reg, fn in ((gdb.events.stop, self.on_stop), (gdb.events.exited, self.on_exit)):
                try:
                    reg.disconnect(fn)
                except Exception:
                    pass
        if self.timer is not None:
            self.timer.cancel()

    def finish(self, result, error):
        if self.finished:
            return
        self.finished = True
        self._disconnect()
        if result is not _LATER:
            self.done(result, error)

    def on_timeout(self):
        self.finish(None, "%s: the program did not stop after an interrupt" % self.what)

    def on_exit(self, event):
        if getattr(event, "inferior", None) is not None and event.inferior.num != self.inf.num:
            return
        self.finish(None, "%s: the program exited first" % self.what)

    def on_stop(self, event):
        if self.finished:
            return
        # The program may have stopped on its own (a breakpoint, a signal) before our
        # interrupt took effect; then it stays stopped there for the user to look at.
        if not _stopped_by_interrupt(event):
            t = getattr(event, "inferior_thread", None)
            if t is not None:
                self.keep_stopped.add(t.num)
            else:
                self.keep_all = True
        try:
            if not self.inf.is_valid() or not self.inf.pid:
                return
            if any(_thread_running(t) for t in self.inf.threads()):
                return  # non-stop: wait for the others
        except (gdb.error, RuntimeError):
            return
        first = self.first_thread if self.first_thread and self.first_thread.is_valid() else gdb.selected_thread()
        result, error = None, None
        try:
            result = self.action(first)
        except CkptError as e:
            error = str(e)
        except Exception as e:  # never leave the program interrupted because of a bug here
            error = "%s: %s: %s" % (self.what, type(e).__name__, e)
        to_resume = [] if self.keep_all else [t for t in self.running
                                              if t.is_valid() and t.num not in self.keep_stopped]
        if isinstance(result, dict):
            result["resumed"] = bool(to_resume)
        elif result is _LATER and _BackgroundSave.current is not None:
            _BackgroundSave.current.resumed = bool(to_resume)
        self._disconnect()

        def after():
            if to_resume:
                _resume_threads(to_resume)
            self.finish(result, error)  # answered once the program runs again

        # Resuming from inside the stop notification is not safe; do it right after.
        gdb.post_event(after)


def _stopped_by_interrupt(event):
    if isinstance(event, gdb.BreakpointEvent):
        return False
    if isinstance(event, gdb.SignalEvent):
        return event.stop_signal in ("SIGINT", "SIGSTOP", "0", "GDB_SIGNAL_0")
    return True


def _resume_threads(threads):
    try:
        if bool(gdb.parameter("non-stop")):
            prev = gdb.selected_thread()
            for t in threads:
                if t.is_valid() and not _thread_running(t):
                    t.switch()
                    gdb.execute("continue &", to_string=True)
            if prev is not None and prev.is_valid():
                prev.switch()
        else:
            gdb.execute("continue &", to_string=True)
    except gdb.error as e:
        gdb.write("ckpt: could not resume the program after saving it: %s\n" % e, gdb.STDERR)


def save(path, done, background=False):
    """Saves the selected inferior to path (None: the default name).

    done(result, error) is called once: right away when the program is stopped and the save
    is not in the background; else later, from gdb's event loop.  Returns True when done has
    been called already."""
    ENGINE.load()
    inf = gdb.selected_inferior()
    _check_live(inf, "ckpt save")
    if _BackgroundSave.current is not None:
        raise CkptError("ckpt save: a save is still being written (%s); try again in a moment"
                        % _BackgroundSave.current.path)
    path = _resolve(path) if path else _default_path(inf)
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        raise CkptError("ckpt save: no such directory: %s" % d)
    first = gdb.selected_thread()  # running or not: the thread the user looks at
    if background:
        def action(first_thread):
            return _BackgroundSave(inf, path, done).start(first_thread)
    else:
        def action(first_thread):
            return _capture_now(inf, path, first_thread)
    if not any(_thread_running(t) for t in inf.threads()):
        r = action(first)
        if r is _LATER:
            return False
        r["resumed"] = False
        done(r, None)
        return True
    _Interrupted(inf, action, done, "ckpt save", first).start()
    return False


# --------------------------------------------------------------------------------------------
# Restart.
# --------------------------------------------------------------------------------------------

def _inferior_stdio():
    """The fds that a restarted program gets as 0, 1 and 2: gdb's inferior-tty when one is
    set (an IDE console), else gdb's own, as `run` would give it."""
    tty = None
    try:
        # Not gdb.parameter: it misses a tty set with MI's -inferior-tty-set (gdb 13).
        m = re.search(r'"(.*)"', gdb.execute("show inferior-tty", to_string=True))
        tty = m.group(1) if m else None
    except gdb.error:
        pass
    tty = tty or gdb.parameter("inferior-tty")
    if tty:
        fd = os.open(tty, os.O_RDWR | os.O_NOCTTY)
        return [fd, fd, fd], [fd]
    return [0, 1, 2], []


def _spawn_restart(path):
    """Rebuilds the program of statefile path, left stopped, with the ckpt command.

    The restarted program inherits the stdio of whoever restarts it (the engine rebinds fds
    0-2 that pointed outside the tree), so the command runs with exactly the stdio chosen
    above, and its own report comes back on a private pipe (--report-fd).  Returns the
    report as a dict."""
    lib = ENGINE.load()
    cmd = lib.ckpt_command_path().decode()
    if not os.access(cmd, os.X_OK):
        raise CkptError("ckpt restart: the ckpt command is missing (%s)" % cmd)
    stdio, to_close = _inferior_stdio()
    r, w = os.pipe()
    try:
        proc = subprocess.Popen([cmd, "restart", path, "--stopped", "--json", "--report-fd", str(w)],
                                stdin=stdio[0], stdout=stdio[1], stderr=stdio[2], pass_fds=(w,), close_fds=True)
    except OSError as e:
        os.close(r)
        raise CkptError("ckpt restart: cannot start %s: %s" % (cmd, e))
    finally:
        os.close(w)
        for fd in to_close:
            os.close(fd)
    chunks = []
    try:
        while True:
            try:
                b = os.read(r, 65536)
            except InterruptedError:
                continue
            if not b:
                break
            chunks.append(b)
            if b"\n" in b:  # the whole answer; do not wait for EOF
                break
    finally:
        os.close(r)
        proc.wait()
    text = b"".join(chunks).decode("utf-8", "replace").strip()
    if not text.startswith("{"):
        reason = text[len("ckpt: "):] if text.startswith("ckpt: ") else (text or "the ckpt command failed")
        raise CkptError("ckpt restart: " + reason)
    msg = json.loads(text)
    msg["ok"] = True
    msg["ms"] = msg.get("total_ms")
    return msg


def _outer_tid(pid, saved_tid, in_namespace):
    """The tid, as gdb sees it, of the thread that had tid saved_tid when saved."""
    if not in_namespace:
        return saved_tid
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
                for line in f:
                    if line.startswith("NSpid:"):
                        ids = line.split()[1:]
                        if ids and int(ids[-1]) == saved_tid:
                            return int(tid)
    except (OSError, ValueError):
        pass
    return None


def _drop_current(interactive):
    """Before a restart: kill the program gdb runs (asking as gdb's `kill` asks), detach from
    one the user attached to, forget a core file."""
    inf = gdb.selected_inferior()
    ctype = _connection_type(inf)
    if ctype == "core":
        gdb.execute("core-file", to_string=True)
        return
    if not inf.pid:
        return
    if ctype is not None and ctype != "native":
        raise CkptError("ckpt restart: this gdb debugs a %s target; disconnect it first" % ctype)
    ours = inf.pid in _RESTARTED
    if inf.was_attached and not ours:
        gdb.write("ckpt: detaching from process %d\n" % inf.pid)
        try:
            gdb.execute("detach", to_string=not interactive)
        except gdb.error as e:
            raise CkptError("ckpt restart: cannot detach from process %d (%s); interrupt it first" % (inf.pid, e))
        return
    if interactive:
        try:
            gdb.execute("kill")  # asks "Kill the program being debugged?" when gdb asks at all
        except gdb.error as e:
            raise CkptError("ckpt restart: %s" % str(e).strip().rstrip("."))
    else:
        with _confirm_off():
            gdb.execute("kill", to_string=True)


class _confirm_off:
    def __enter__(self):
        self.old = gdb.parameter("confirm")
        gdb.execute("set confirm off", to_string=True)

    def __exit__(self, *a):
        gdb.execute("set confirm %s" % ("on" if self.old else "off"), to_string=True)


_RESTARTED = set()  # pids this extension restarted: killed, not detached, when replaced


def restart(path, interactive, done, quiet=False):
    """Restarts statefile path stopped and attaches this gdb to it, landing in the thread and
    frame where it was saved.

    done(result, error) is called once, right away from the CLI; from the control socket
    (where gdb finishes an attach in the background) when the attach has completed."""
    lib = ENGINE.load()
    path = _resolve(path)
    if not os.path.exists(path):
        raise CkptError("ckpt restart: no such file: %s" % path)
    try:
        desc = json.loads(ENGINE.info(path, True))
    except CkptError as e:
        raise CkptError("ckpt restart: %s" % e)
    program = desc.get("program") or (desc.get("processes") or [{}])[0].get("exe")
    stop_tid = (desc.get("stop") or {}).get("tid")

    _drop_current(interactive)
    res = _spawn_restart(path)
    pid = res["pid"]
    res["path"] = path
    _RESTARTED.intersection_update({i.pid for i in gdb.inferiors() if i.pid})
    _RESTARTED.add(pid)
    inf = gdb.selected_inferior()
    if gdb.parameter("non-stop"):
        _SigstopGuard.arm(pid)
    try:
        cur = _executable(inf)
        if program and os.path.exists(program) and (
                not cur or os.path.realpath(cur) != os.path.realpath(program)):
            with _confirm_off():
                gdb.execute("file %s" % _quote(program), to_string=True)
        gdb.execute("attach %d" % pid, to_string=quiet)
    except gdb.error as e:
        _kill_quietly(pid)
        raise CkptError("ckpt restart: cannot attach to the restarted program (pid %d): %s" % (pid, e))

    def land():
        try:
            _settle_attached(inf)
            want = _outer_tid(pid, stop_tid, res.get("namespace")) if stop_tid else None
            cur_t = gdb.selected_thread()
            if want and (cur_t is None or cur_t.ptid[1] != want):
                for t in inf.threads():
                    if t.ptid[1] == want:
                        gdb.execute("thread %d" % t.num, to_string=quiet)
                        break
        except gdb.error as e:
            done(None, "ckpt restart: attached to pid %d, but: %s" % (pid, e))
            return
        done(res, None)

    _when_stopped(inf, land, lambda why: done(None, "ckpt restart: attaching to pid %d: %s" % (pid, why)))


def _when_stopped(inf, fn, fail, timeout=30.0):
    """Runs fn() once every thread of inf is stopped: now, or after the stop that gdb reports
    later (an attach or interrupt completes in the background when gdb is not waiting for it,
    e.g. in a gdb.post_event callback).  fail(reason) if the program goes away instead."""
    def all_stopped():
        return inf.is_valid() and inf.pid and not any(_thread_running(t) for t in inf.threads())

    if all_stopped():
        fn()
        return
    state = {"done": False}

    def finish(ok, why=None):
        if state["done"]:
            return
        state["done"] = True
        for reg, h in ((gdb.events.stop, on_stop), (gdb.events.exited, on_exit)):
            try:
                reg.disconnect(h)
            except Exception:
                pass
        timer.cancel()
        # After the stop notification has been fully handled by gdb.
        gdb.post_event(fn if ok else (lambda: fail(why)))

    def on_stop(event):
        if all_stopped():
            finish(True)

    def on_exit(event):
        finish(False, "the program exited")

    timer = threading.Timer(timeout, lambda: gdb.post_event(lambda: finish(False, "no stop within %d s" % timeout)))
    timer.daemon = True
    gdb.events.stop.connect(on_stop)
    gdb.events.exited.connect(on_exit)
    timer.start()


class _SigstopGuard:
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


_SETTLED = set()  # (inferior num, pid) already settled after an attach


def _settle_attached(inf):
    """After gdb attached to a process that was in group-stop (a restarted statefile), gdb 13
    has left a SIGSTOP queued in each thread and would report it later as a stray stop.  The
    engine consumes them; threads without one are left alone, so this is harmless for any
    other attach.  Runs once per attached process."""
    key = (inf.num, inf.pid)
    if not inf.pid or not inf.was_attached or key in _SETTLED:
        return
    if _connection_type(inf) not in (None, "native"):
        return
    _SETTLED.add(key)
    try:
        lib = ENGINE.load()
    except gdb.GdbError:
        return
    tids = [t.ptid[1] for t in inf.threads() if not _thread_running(t)]
    if not tids:
        return
    arr = (ctypes.c_int * len(tids))(*tids)
    if lib.ckpt_discard_pending_sigstop(arr, len(tids)) != 0:
        gdb.write("ckpt: warning: %s\n" % ENGINE.error(), gdb.STDERR)


def _on_any_stop(event):
    try:
        _settle_attached(gdb.selected_inferior())
    except Exception:
        pass


def _on_gdb_exiting(event):
    """gdb is quitting: a background save finishes its file, and the programs that ckpt
    restarted are killed, as gdb kills the programs it started (it would only detach them:
    they were attached)."""
    try:
        _BackgroundSave.drain()
    except Exception:
        pass
    for inf in gdb.inferiors():
        try:
            if inf.pid and inf.pid in _RESTARTED and _connection_type(inf) == "native":
                if gdb.selected_inferior().num != inf.num:
                    gdb.execute("inferior %d" % inf.num, to_string=True)
                with _confirm_off():
                    gdb.execute("kill", to_string=True)
        except Exception:
            pass


def _kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --------------------------------------------------------------------------------------------
# Listing statefiles.
# --------------------------------------------------------------------------------------------

def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0


def list_statefiles(d):
    d = _resolve(d) if d else _ckpt_dir()
    try:
        names = sorted(n for n in os.listdir(d) if n.endswith(".ckpt"))
    except OSError as e:
        raise CkptError("ckpt list: %s: %s" % (d, e.strerror))
    out = []
    for n in names:
        p = os.path.join(d, n)
        if not os.path.isfile(p):
            continue
        try:
            j = json.loads(ENGINE.info(p, True))
            stop = j.get("stop") or {}
            where = stop.get("function") or stop.get("symbol") or "?"
            if stop.get("file"):
                where += " at %s:%s" % (os.path.basename(stop["file"]), stop.get("line", 0))
            out.append({"path": p, "ok": True, "time": j.get("time"), "program": j.get("program"),
                        "stop": where, "threads": j.get("threads"), "processes": len(j.get("processes") or []),
                        "stored_bytes": j.get("stored_bytes"), "from_debugger": j.get("from_debugger")})
        except CkptError as e:
            out.append({"path": p, "ok": False, "error": str(e)})
    return d, out


# --------------------------------------------------------------------------------------------
# gdb commands.
# --------------------------------------------------------------------------------------------

def _gdb_error(e):
    return gdb.GdbError(str(e).splitlines()[0] if str(e) else type(e).__name__)


def _guard(fn):
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

ckpt save [FILE]     save all threads at the current stop into a statefile
ckpt restart FILE    restart a statefile stopped and attach this gdb to it
ckpt info FILE       describe a statefile
ckpt list [DIR]      list the statefiles in DIR ($CKPT_DIR or the current directory)
ckpt status          engine, extension version and the IDE control socket"""

    def __init__(self):
        super().__init__("ckpt", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE, True)


class CkptSave(gdb.Command):
    """Save the program, all threads, at the current stop: ckpt save [-b | -w] [FILE]

Without FILE the name is PROGRAM-YYYYMMDD-HHMMSS.ckpt in $CKPT_DIR, else the current
directory.  The thread that stopped is the first thread in the statefile.  If the program
is running (background execution, non-stop), it is interrupted, saved and resumed.
Typed at a terminal (or with -b), gdb comes back as soon as the program may run again and
the memory is written in the background; the "Saved" line follows when the file is complete.
From scripts and MI (or with -w) the command returns once the file is complete."""

    def __init__(self):
        super().__init__("ckpt save", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @_guard
    def invoke(self, arg, from_tty):
        argv = _argv(arg, "ckpt save [-b | -w] [FILE]", 2)
        # At a terminal the prompt comes back after the pause; scripts and MI wait for the file.
        background = bool(from_tty) and os.isatty(0)
        if argv and argv[0] in ("-b", "--background", "-w", "--wait"):
            background = argv[0] in ("-b", "--background")
            argv = argv[1:]
        if len(argv) > 1 or (argv and argv[0].startswith("-") and argv[0] != "-"):
            raise gdb.GdbError("usage: ckpt save [-b | -w] [FILE]")

        def done(result, error):
            if error:
                gdb.write(error + "\n", gdb.STDERR)
            else:
                gdb.write(_saved_line(result) + "\n")

        inf = gdb.selected_inferior()
        was_running = inf.pid and any(_thread_running(t) for t in inf.threads())
        if not save(argv[0] if argv else None, done, background):
            if was_running:
                gdb.write("ckpt: interrupting the program to save it...\n")
            else:
                cur = _BackgroundSave.current
                gdb.write("ckpt: the program may go on (paused %.1f ms); writing %s in the background...\n"
                          % (cur.pause_ms if cur else 0.0, cur.path if cur else "the statefile"))


class CkptRestart(gdb.Command):
    """Restart a statefile and attach this gdb to it: ckpt restart FILE

A program that gdb started (or that ckpt restarted) is killed first, asking as `kill` asks;
one that you attached to is detached.  You land in the thread and frame where it was saved."""

    def __init__(self):
        super().__init__("ckpt restart", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @_guard
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

    @_guard
    def invoke(self, arg, from_tty):
        argv = _argv(arg, "ckpt info FILE", 1)
        if not argv:
            raise gdb.GdbError("usage: ckpt info FILE")
        try:
            text = ENGINE.info(_resolve(argv[0]), False)
        except CkptError as e:
            raise CkptError("ckpt info: %s" % e)
        gdb.write(text.rstrip("\n") + "\n")


class CkptList(gdb.Command):
    """List statefiles: ckpt list [DIR]  (default: $CKPT_DIR, else the current directory)"""

    def __init__(self):
        super().__init__("ckpt list", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @_guard
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
                "" if it["threads"] == 1 else "s", _human(it["stored_bytes"] or 0), it["stop"]))


class CkptStatus(gdb.Command):
    """Show the engine, the extension version and the control socket: ckpt status"""

    def __init__(self):
        super().__init__("ckpt status", gdb.COMMAND_STATUS, gdb.COMPLETE_NONE)

    @_guard
    def invoke(self, arg, from_tty):
        gdb.write("ckpt gdb extension %s (protocol %d)\n" % (EXTENSION_VERSION, PROTOCOL_VERSION))
        try:
            gdb.write("engine %s: %s\n" % (ENGINE.version(), ENGINE.path))
        except gdb.GdbError as e:
            gdb.write("engine: %s\n" % e)
        gdb.write("control socket: %s\n" % (SERVER.path if SERVER and SERVER.path else "not listening"
                                            + (" (%s)" % SERVER.problem if SERVER and SERVER.problem else "")))
        gdb.write("statefiles go to: %s\n" % _ckpt_dir())


# --------------------------------------------------------------------------------------------
# The control socket.
# --------------------------------------------------------------------------------------------

_MAX_LINE = 64 * 1024


def _socket_dir():
    """$XDG_RUNTIME_DIR/ckpt, or /tmp/ckpt-UID; created 0700 and checked to be ours."""
    uid = os.getuid()
    cands = []
    xdg = os.environ.get("XDG_RUNTIME_DIR")
    if xdg and os.path.isabs(xdg) and os.path.isdir(xdg):
        cands.append(os.path.join(xdg, "ckpt"))
    cands.append(os.path.join("/tmp", "ckpt-%d" % uid))
    problems = []
    for d in cands:
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            pass
        except OSError as e:
            problems.append("%s: %s" % (d, e.strerror))
            continue
        st = os.lstat(d)
        import stat as _st
        if not _st.S_ISDIR(st.st_mode) or st.st_uid != uid:
            problems.append("%s is not a directory of uid %d" % (d, uid))
            continue
        if st.st_mode & 0o077:
            try:
                os.chmod(d, 0o700)
            except OSError as e:
                problems.append("%s: %s" % (d, e.strerror))
                continue
        return d, None
    return None, "; ".join(problems)


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def _block_signals():
    # A Python thread inherits gdb's main-thread mask; it must not take gdb's signals
    # (SIGCHLD, SIGINT) away from the main thread.
    try:
        signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())
    except (OSError, ValueError):
        pass


class _Server:
    def __init__(self):
        self.path = None
        self.dir = None
        self.problem = None
        self.sock = None
        self.owner_pid = os.getpid()
        self.queue = []  # jobs waiting for the main thread, run one at a time
        self.busy = False

    # -- life cycle (main thread) --

    def start(self):
        d, problem = _socket_dir()
        if not d:
            self.problem = problem
            gdb.write("ckpt: no control socket: %s\n" % problem, gdb.STDERR)
            return
        self.dir = d
        path = os.path.join(d, "gdb-%d.sock" % os.getpid())
        self._sweep(d)
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        old = os.umask(0o177)
        try:
            s.bind(path)
        except OSError as e:
            s.close()
            self.problem = "%s: %s" % (path, e.strerror)
            gdb.write("ckpt: no control socket: %s\n" % self.problem, gdb.STDERR)
            return
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        s.listen(8)
        self.sock, self.path = s, path
        t = threading.Thread(target=self._accept_loop, name="ckpt-socket", daemon=True)
        t.start()
        gdb.events.gdb_exiting.connect(self._on_exit) if hasattr(gdb.events, "gdb_exiting") else None
        import atexit
        atexit.register(self.stop)

    @staticmethod
    def _sweep(d):
        """Removes sockets left by gdbs that were killed."""
        try:
            for n in os.listdir(d):
                m = re.match(r"gdb-(\d+)\.sock$", n)
                if m and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1))):
                    try:
                        os.unlink(os.path.join(d, n))
                    except OSError:
                        pass
        except OSError:
            pass

    def _on_exit(self, event):
        self.stop()

    def stop(self):
        if os.getpid() != self.owner_pid:
            return  # a forked helper must not remove gdb's socket
        if self.path:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            self.path = None
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    # -- socket threads --

    def _accept_loop(self):
        _block_signals()
        while True:
            s = self.sock
            if s is None:
                return
            try:
                conn, _ = s.accept()
            except OSError:
                if self.sock is None:
                    return
                time.sleep(0.05)
                continue
            threading.Thread(target=self._serve, args=(conn,), name="ckpt-client", daemon=True).start()

    def _serve(self, conn):
        _block_signals()
        try:
            pid, uid, gid = struct.unpack("3i", conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED,
                                                                 struct.calcsize("3i")))
            if uid != os.getuid():
                self._send(conn, {"ok": False, "error": "permission denied: uid %d may not use this gdb (owner uid %d)"
                                  % (uid, os.getuid())})
                self._drain(conn)
                return
            buf = b""
            while True:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                buf += chunk
                while b"\n" in buf:
                    line, buf = buf.split(b"\n", 1)
                    if line.strip():
                        self._send(conn, self._handle_line(line))
                if len(buf) > _MAX_LINE:
                    self._send(conn, {"ok": False, "error": "request too long"})
                    self._drain(conn)
                    return
        except OSError:
            pass
        finally:
            try:
                conn.close()
            except OSError:
                pass

    @staticmethod
    def _drain(conn):
        """Reads what the peer sent before closing, so that it sees our answer rather than a
        reset.  Never reads more than a little, nor for long."""
        try:
            conn.shutdown(socket.SHUT_WR)
            conn.settimeout(1.0)
            for _ in range(16):
                if not conn.recv(4096):
                    break
        except OSError:
            pass

    @staticmethod
    def _send(conn, obj):
        conn.sendall(json.dumps(obj, separators=(",", ":")).encode() + b"\n")

    def _handle_line(self, line):
        try:
            req = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            return {"ok": False, "error": "bad request: not JSON (%s)" % str(e).splitlines()[0]}
        if not isinstance(req, dict):
            return {"ok": False, "error": "bad request: expected a JSON object"}
        rid = req.get("id")
        op = req.get("op")
        if not isinstance(op, str) or op not in _OPS:
            reply = {"ok": False, "error": "unknown op %s; known: %s" % (json.dumps(op), ", ".join(sorted(_OPS)))}
        else:
            reply = self._run_on_main(op, req)
        if rid is not None:
            reply["id"] = rid
        return reply

    def _run_on_main(self, op, req):
        box = {}
        ev = threading.Event()

        def reply(obj):
            if "r" not in box:
                box["r"] = obj
                ev.set()

        gdb.post_event(lambda: self._enqueue(lambda done: _OPS[op](req, done), reply))
        if not ev.wait(_OP_TIMEOUT.get(op, 120)):
            return {"ok": False, "error": "timed out waiting for gdb"}
        return box["r"]

    # -- the job queue, on the main thread: one operation at a time --

    def _enqueue(self, job, reply):
        self.queue.append((job, reply))
        self._pump()

    def _pump(self):
        while not self.busy and self.queue:
            job, reply = self.queue.pop(0)
            self.busy = True
            finished = []

            def done(obj, reply=reply, finished=finished):
                if finished:
                    return
                finished.append(True)
                self.busy = False
                reply(obj)
                if self.queue:
                    gdb.post_event(self._pump)

            try:
                job(done)
            except Exception as e:  # never leave the queue stuck
                done({"ok": False, "error": "internal error: %s: %s" % (type(e).__name__, e)})


_OP_TIMEOUT = {"save": 600, "restart": 600}


def _err(e):
    s = str(e).strip()
    return {"ok": False, "error": s.splitlines()[0] if s else type(e).__name__}


def _op_ping(req, reply):
    engine = None
    try:
        engine = ENGINE.version()
    except gdb.GdbError:
        pass
    reply({"ok": True, "gdb_pid": os.getpid(), "version": EXTENSION_VERSION, "protocol": PROTOCOL_VERSION,
           "engine": engine, "engine_path": ENGINE.path, "socket": SERVER.path, "dir": SERVER.dir,
           "ckpt_dir": _ckpt_dir(), "gdb_version": gdb.VERSION, "ops": sorted(_OPS)})


def _op_info(req, reply):
    path = req.get("path")
    if path is None:
        return _op_ping(req, reply)
    if not isinstance(path, str) or not path:
        return reply({"ok": False, "error": "info: path must be a non-empty string"})
    try:
        reply({"ok": True, "info": json.loads(ENGINE.info(_resolve(path), True))})
    except (CkptError, gdb.GdbError, ValueError) as e:
        reply(_err(e))


def _op_list(req, reply):
    d = req.get("dir")
    if d is not None and not isinstance(d, str):
        return reply({"ok": False, "error": "list: dir must be a string"})
    try:
        ENGINE.load()
        d, items = list_statefiles(d)
        reply({"ok": True, "dir": d, "statefiles": items})
    except (CkptError, gdb.GdbError) as e:
        reply(_err(e))


def _op_inferiors(req, reply):
    out = []
    sel = gdb.selected_inferior()
    for inf in gdb.inferiors():
        try:
            state = _inferior_state(inf)
            out.append({"num": inf.num, "pid": inf.pid or None, "executable": _executable(inf), "state": state,
                        "threads": len(inf.threads()) if inf.pid else 0,
                        "attached": bool(inf.was_attached) if inf.pid else False,
                        "connection": _connection_type(inf), "selected": inf.num == sel.num})
        except (gdb.error, RuntimeError) as e:
            out.append({"num": inf.num, "error": str(e)})
    reply({"ok": True, "inferiors": out, "non_stop": bool(gdb.parameter("non-stop"))})


def _op_save(req, reply):
    path = req.get("path")
    if path is not None and (not isinstance(path, str) or not path):
        return reply({"ok": False, "error": "save: path must be a non-empty string"})
    background = req.get("background", True)
    if not isinstance(background, bool):
        return reply({"ok": False, "error": "save: background must be true or false"})

    def done(result, error):
        if error:
            reply({"ok": False, "error": error})
        else:
            r = dict(result)
            r["ok"] = True
            reply(r)

    try:
        save(path, done, background)
    except (CkptError, gdb.GdbError, gdb.error, OSError) as e:
        reply(_err(e))


def _op_restart(req, reply):
    path = req.get("path")
    if not isinstance(path, str) or not path:
        return reply({"ok": False, "error": "restart: path must be a non-empty string"})
    def done(result, error):
        if error:
            reply({"ok": False, "error": error})
        else:
            r = dict(result)
            r["ok"] = True
            reply(r)

    try:
        restart(path, False, done)
    except (CkptError, gdb.GdbError, gdb.error, OSError) as e:
        reply(_err(e))


_OPS = {"ping": _op_ping, "info": _op_info, "list": _op_list, "inferiors": _op_inferiors, "save": _op_save,
        "restart": _op_restart}


# --------------------------------------------------------------------------------------------
# Loading.
# --------------------------------------------------------------------------------------------

SERVER = globals().get("SERVER")  # kept when this file is sourced again


def _load():
    global SERVER
    old = globals().get("SERVER")
    if old is not None:  # sourced again: one socket per gdb
        old.stop()
    CkptPrefix()
    CkptSave()
    CkptRestart()
    CkptInfo()
    CkptList()
    CkptStatus()
    if old is None:
        gdb.events.stop.connect(_on_any_stop)
        gdb.events.stop.connect(lambda e: _SigstopGuard.on_stop(e))
        gdb.events.cont.connect(lambda e: _SigstopGuard.on_cont(e))
        gdb.events.exited.connect(lambda e: _SigstopGuard.on_exit(e))
        if hasattr(gdb.events, "gdb_exiting"):
            gdb.events.gdb_exiting.connect(_on_gdb_exiting)
    if os.environ.get("CKPT_NO_SOCKET"):
        return
    SERVER = _Server()
    SERVER.start()


_load()
