"""ckpt save: capture the selected inferior into a statefile, on gdb's main thread (the
tracer); in one go, or in the background from a copy-on-write clone; a running program is
interrupted for it and resumed."""

import ctypes
import os
import queue
import threading

import gdb

from . import CkptError
from . import timeline
from .engine import ENGINE, CKPT_LEAVE_RUNNING, ORIGINS, CaptureOptions, CaptureResult, Patch
from .inferior import breakpoint_patches, check_live, held_tids, stop_location, thread_running
from .mainthread import block_signals, post
from .statefiles import default_path, resolve, stop_text

# The last statefile saved of each program in this session: the next save of that program is
# incremental against it (pages that did not change are shared where the file system can).
_LAST_SAVE = {}
_TRACKER = []  # the session's ckpt_tracker: saves after the first read only what was written


def session_tracker(create=True):
    if not _TRACKER and create:
        _TRACKER.append(ENGINE.load().ckpt_tracker_new())
    return _TRACKER[0] if _TRACKER else None


def saved_again(pid, path):
    """The program pid is at statefile path again (rewind.py): its next save follows that one."""
    _LAST_SAVE[pid] = path


class _Capture:
    """The arguments of one capture, kept alive for as long as the engine may read them."""

    def __init__(self, inf, path, first_thread, origin="manual", label=None, allow_unrestorable=False):
        if origin not in ORIGINS:
            raise CkptError("ckpt save: unknown origin %r (one of %s)" % (origin, ", ".join(ORIGINS)))
        self.inf = inf
        self.pid = inf.pid
        self.path = path
        tids = held_tids(inf)
        self.ntids = len(tids)
        self.tids = (ctypes.c_int * len(tids))(*tids)
        o = CaptureOptions()
        o.release = CKPT_LEAVE_RUNNING
        o.from_debugger = 1
        o.allow_unrestorable = 1 if allow_unrestorable else 0
        if first_thread is None or not first_thread.is_valid():
            first_thread = gdb.selected_thread()
        func = fname = None
        line = 0
        if first_thread is not None:
            o.first_tid = first_thread.ptid[1] or first_thread.ptid[0]
            func, fname, line = stop_location(first_thread)
        self.func = func.encode("utf-8", "replace") if func else None
        self.file = os.fsencode(fname) if fname else None
        o.stop_function = self.func
        o.stop_file = self.file
        o.stop_line = line
        patches = breakpoint_patches(inf)
        self.npatches = len(patches)
        self.parr = None
        if patches:
            self.parr = (Patch * len(patches))()
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
        o.tracker = session_tracker()
        # Its place in the session's timeline, kept in the statefile too.
        self.ann = timeline.annotation(self.pid, origin, label, path)
        self.stop = stop_text(func, fname, line)
        self.resumes = timeline.resumes()
        o.origin = ORIGINS[origin]
        self.blabel = self.ann["label"].encode("utf-8", "replace")
        o.label = self.blabel
        self.bparent_name = os.fsencode(self.ann["parent_name"]) if self.ann["parent_name"] else None
        o.timeline_parent = self.bparent_name
        o.sequence = self.ann["sequence"]
        o.session = self.ann["session"]
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

    def record(self, result, runs_on=False):
        """On the main thread, once the file is complete: the save joins the timeline; the
        program is at it unless it runs on (a snappoint) or was resumed since the freeze."""
        at_it = not runs_on and timeline.resumes() == self.resumes
        e = timeline.record_save(self.path, self.pid, self.ann, self.stop, at_it)
        result["timeline"] = e["num"]
        return result


def _capture_now(inf, path, first_thread, origin="manual", label=None, runs_on=False, allow_unrestorable=False):
    """Captures the stopped inferior into path in one go, on this (the tracer) thread.
    Every thread of inf must be stopped."""
    lib = ENGINE.load()
    c = _Capture(inf, path, first_thread, origin, label, allow_unrestorable)
    res = CaptureResult()
    if lib.ckpt_capture(c.pid, c.tids, c.ntids, c.bpath, ctypes.byref(c.opts), ctypes.byref(res)) != 0:
        raise CkptError("ckpt save: " + ENGINE.error())
    return c.record(c.result(res, background=False), runs_on)


def capture_held(inf, path, first_thread, origin, label):
    """A snappoint's save, from inside a breakpoint's stop() with every thread held stopped
    (holdall): in one go, and the program runs on afterwards.  A background save still being
    written is completed first, while the program is held."""
    BackgroundSave.finish_before_use()
    return _capture_now(inf, path, first_thread, origin, label, runs_on=True)


def saved_line(r):
    return "Saved %s: %d threads, %.1f MiB in %d ms" % (
        r["path"], r["threads"], r["bytes"] / (1024.0 * 1024.0), int(round(r["ms"])))


_LATER = object()  # an action that calls done itself, later


class _Writer:
    """The one Python thread that writes background saves' files, started with the first: a
    thread started for each save made the step wait about a millisecond for it to start."""

    jobs = None  # queue.SimpleQueue of callables, once started

    @classmethod
    def run(cls, job):
        if cls.jobs is None:
            cls.jobs = queue.SimpleQueue()
            threading.Thread(target=cls._loop, args=(cls.jobs,), name="ckpt-save", daemon=True).start()
        cls.jobs.put(job)

    @staticmethod
    def _loop(jobs):
        block_signals()
        while True:
            job = jobs.get()
            try:
                job()
            except Exception:  # the thread lives on for the next saves (a job keeps its error)
                pass


class BackgroundSave:
    """A save that gives gdb back as soon as the program may run again.

    On the tracer thread, ckpt_capture_start freezes what it needs and makes a copy-on-write
    clone that serves the memory; a Python thread writes the file (ckpt_capture_finish), while
    gdb, and the program if the user resumes it, go on; back on the tracer thread,
    ckpt_capture_cleanup drops the clone, which needs the program stopped: at once if it is,
    else at its next stop, else after a short interrupt."""

    current = None  # the save in flight, if any
    exiting = False  # gdb is quitting
    deferring = False  # finish_before_use() runs: a stop that waited is saved later, if at all
    GRACE = 0.5     # seconds to wait for a stop of its own before interrupting for the cleanup

    def __init__(self, inf, path, done, origin="manual", label=None, allow_unrestorable=False):
        self.inf = inf
        self.allow_unrestorable = allow_unrestorable
        self.path = path
        self.done = done
        self.origin = origin
        self.label = label
        self.job = None
        self.written = None  # threading.Event: set once the writer is done with the file
        self.outcome = None  # (result, error) once written
        self.reported = False
        self.waiting = None
        self.resumed = False  # set when it was running, was interrupted, and runs again

    def start(self, first_thread):
        lib = ENGINE.load()
        c = _Capture(self.inf, self.path, first_thread, self.origin, self.label, self.allow_unrestorable)
        self.capture = c
        self.pid = c.pid
        job = lib.ckpt_capture_start(c.pid, c.tids, c.ntids, c.bpath, ctypes.byref(c.opts))
        if not job:
            raise CkptError("ckpt save: " + ENGINE.error())
        self.job = job
        self.pause_ms = lib.ckpt_capture_pause_ns(job) / 1e6
        BackgroundSave.current = self
        self.written = threading.Event()
        _Writer.run(self._write)
        return _LATER

    def _write(self):  # the writer thread
        lib = ENGINE.lib
        res = CaptureResult()
        try:
            if lib.ckpt_capture_finish(self.job, ctypes.byref(res)) == 0:
                self.outcome = (self.capture.result(res, background=True), None)
            else:
                self.outcome = (None, "ckpt save: " + ENGINE.error())  # the error is per thread
        except Exception as e:
            self.outcome = (None, "ckpt save: %s: %s" % (type(e).__name__, e))
        finally:
            self.written.set()
        # Not once gdb is quitting: drain() does the rest, and an event still queued when gdb
        # exits makes gdb 13 crash in its exit handlers (it drops the callable after Python).
        if not BackgroundSave.exiting:
            post(self._written)

    def _gone(self):
        inf = self.inf
        return not inf.is_valid() or inf.pid != self.pid

    def _stopped(self):
        return not any(thread_running(t) for t in self.inf.threads())

    def _written(self):  # main thread
        if self.reported:
            return  # finish_now did it all already
        if self._gone() or self._stopped():
            self._cleanup()
            return
        # Running: wait a little for a stop of its own (unless it runs because we resumed it
        # after interrupting it for this save), then interrupt it.
        grace = 0.0 if self.resumed else self.GRACE

        def on_stop(event):
            if self._gone() or self._stopped():
                self._unwait()
                post(self._cleanup)

        def on_exit(event):
            self._unwait()
            post(self._cleanup)

        timer = threading.Timer(grace, lambda: post(self._force))
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
        if BackgroundSave.current is self:
            BackgroundSave.current = None
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
            self.capture.record(result)
        self.done(result, error)

    def finish_now(self):
        """On the main thread, with the program held stopped: waits for the file, drops the
        clone and reports, so that another capture may start at once."""
        if self.written is not None:
            self.written.wait()
        self._unwait()
        self._cleanup()

    @classmethod
    def finish_before_use(cls):
        """On the main thread, before something else uses the session's tracker or replaces the
        program's state (a rewind, a snappoint's save): the save in flight is completed, and a
        stop that waited for it is not saved now, which would start another save, but from gdb's
        event loop, when it is still there to save."""
        cur = cls.current
        if cur is None:
            return
        cls.deferring = True
        try:
            cur.finish_now()
        finally:
            cls.deferring = False

    @classmethod
    def settle(cls):
        """On the main thread: a save in flight of a program that is stopped or gone is
        finished (its file waited for) and reported now.  Commands that show saves call it:
        from a script or -batch, gdb runs them before it turns to the event that would report
        it.  A running program's save is left to that event."""
        cur = cls.current
        while cur is not None and not cur.reported and (cur._gone() or cur._stopped()):
            cur.finish_now()  # its report may start the save of a stop that waited for it
            cur = cls.current

    @classmethod
    def drain(cls, timeout=120.0):
        """At gdb's exit: let a save in flight finish its file, then drop its clone."""
        cls.exiting = True
        cur = cls.current
        if cur is None:
            return
        if cur.written is not None:
            cur.written.wait(timeout)
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
        self.running = [t for t in self.inf.threads() if thread_running(t)]
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
            self.timer = threading.Timer(timeout, lambda: post(self.on_timeout))
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
            if any(thread_running(t) for t in self.inf.threads()):
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
        elif result is _LATER and BackgroundSave.current is not None:
            BackgroundSave.current.resumed = bool(to_resume)
        self._disconnect()

        def after():
            if to_resume:
                _resume_threads(to_resume)
            self.finish(result, error)  # answered once the program runs again

        # Resuming from inside the stop notification is not safe; do it right after.
        post(after)


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
                if t.is_valid() and not thread_running(t):
                    t.switch()
                    gdb.execute("continue &", to_string=True)
            if prev is not None and prev.is_valid():
                prev.switch()
        else:
            gdb.execute("continue &", to_string=True)
    except gdb.error as e:
        gdb.write("ckpt: could not resume the program after saving it: %s\n" % e, gdb.STDERR)


def save(path, done, background=False, origin="manual", label=None, allow_unrestorable=False):
    """Saves the selected inferior to path (None: the default name); origin (a name of
    engine.ORIGINS) and label go into its annotation.  With allow_unrestorable, fds that
    restart cannot rebuild are saved as lost (they come back as /dev/null) instead of refused.

    done(result, error) is called once: right away when the program is stopped and the save
    is not in the background; else later, from gdb's event loop.  Returns True when done has
    been called already."""
    ENGINE.load()
    inf = gdb.selected_inferior()
    check_live(inf, "ckpt save")
    if BackgroundSave.current is not None:
        raise CkptError("ckpt save: a save is still being written (%s); try again in a moment"
                        % BackgroundSave.current.path)
    path = resolve(path) if path else default_path(inf)
    d = os.path.dirname(path)
    if not os.path.isdir(d):
        raise CkptError("ckpt save: no such directory: %s" % d)
    first = gdb.selected_thread()  # running or not: the thread the user looks at
    if origin not in ORIGINS:
        raise CkptError("ckpt save: unknown origin %r (one of %s)" % (origin, ", ".join(ORIGINS)))
    if background:
        def action(first_thread):
            return BackgroundSave(inf, path, done, origin, label, allow_unrestorable).start(first_thread)
    else:
        def action(first_thread):
            return _capture_now(inf, path, first_thread, origin, label, allow_unrestorable=allow_unrestorable)
    if not any(thread_running(t) for t in inf.threads()):
        r = action(first)
        if r is _LATER:
            return False
        r["resumed"] = False
        done(r, None)
        return True
    _Interrupted(inf, action, done, "ckpt save", first).start()
    return False
