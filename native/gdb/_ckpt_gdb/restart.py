"""ckpt restart: the ckpt command restarts a statefile stopped, then this gdb attaches to it
and lands in the thread and frame where it was saved."""

import json
import os
import re
import signal
import subprocess
import threading

import gdb

from . import CkptError
from . import packed
from . import timeline
from .engine import ENGINE
from .inferior import confirm_off, connection_type, executable, thread_running
from .mainthread import post
from .session import state
from .sigstop import SigstopGuard, settle_attached
from .statefiles import resolve

# pids this extension restarted: killed, not detached, when replaced; kept across reloads.
_RESTARTED = state("restart", pids=set()).pids


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


def _spawn_restart(path, map_paths=()):
    """Rebuilds the program of statefile path, left stopped, with the ckpt command.

    The restarted program inherits the stdio of whoever restarts it (the engine rebinds fds
    0-2 that pointed outside the tree), so the command runs with exactly the stdio chosen
    above, and its own report comes back on a private pipe (--report-fd).  map_paths are
    --map-path values, OLD=NEW.  Returns the report as a dict."""
    lib = ENGINE.load()
    cmd = lib.ckpt_command_path().decode()
    if not os.access(cmd, os.X_OK):
        raise CkptError("ckpt restart: the ckpt command is missing (%s)" % cmd)
    stdio, to_close = _inferior_stdio()
    r, w = os.pipe()
    try:
        args = [cmd, "restart", path, "--stopped", "--json", "--report-fd", str(w)]
        for m in map_paths:
            args += ["--map-path", m]
        proc = subprocess.Popen(args,
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
    ctype = connection_type(inf)
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
        with confirm_off():
            gdb.execute("kill", to_string=True)


def restart(path, interactive, done, quiet=False, map_paths=()):
    """Restarts statefile path stopped and attaches this gdb to it, landing in the thread and
    frame where it was saved.  map_paths: OLD=NEW strings, as ckpt restart --map-path takes.

    done(result, error) is called once, right away from the CLI; from the control socket
    (where gdb finishes an attach in the background) when the attach has completed."""
    ENGINE.load()
    path = resolve(path)
    if not os.path.exists(path):
        raise CkptError("ckpt restart: no such file: %s" % path)
    try:
        desc = json.loads(ENGINE.info(path, True))
    except CkptError as e:
        raise CkptError("ckpt restart: %s" % e)
    program = desc.get("program") or (desc.get("processes") or [{}])[0].get("exe")
    stop_tid = (desc.get("stop") or {}).get("tid")
    # A packed statefile runs with its embedded files where this machine's differ: gdb reads
    # symbols from the same files, laid out as a sysroot.
    sysroot = packed.sysroot_for(path, desc)
    if sysroot:
        program = packed.use_sysroot(sysroot, False) or program

    _drop_current(interactive)
    res = _spawn_restart(path, map_paths)
    pid = res["pid"]
    res["path"] = path
    _RESTARTED.intersection_update({i.pid for i in gdb.inferiors() if i.pid})
    _RESTARTED.add(pid)
    inf = gdb.selected_inferior()
    if gdb.parameter("non-stop"):
        SigstopGuard.arm(pid)
    try:
        cur = executable(inf)
        if program and os.path.exists(program) and (
                not cur or os.path.realpath(cur) != os.path.realpath(program)):
            with confirm_off():
                gdb.execute("file %s" % _quote(program), to_string=True)
        gdb.execute("attach %d" % pid, to_string=quiet)
    except gdb.error as e:
        _kill_quietly(pid)
        raise CkptError("ckpt restart: cannot attach to the restarted program (pid %d): %s" % (pid, e))

    def land():
        try:
            settle_attached(inf)
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
        res["timeline"] = timeline.record_restart(path, pid, desc)["num"]
        done(res, None)

    when_stopped(inf, land, lambda why: done(None, "ckpt restart: attaching to pid %d: %s" % (pid, why)))


def when_stopped(inf, fn, fail, timeout=30.0):
    """Runs fn() once every thread of inf is stopped: now, or after the stop that gdb reports
    later (an attach or interrupt completes in the background when gdb is not waiting for it,
    e.g. in a posted callback).  fail(reason) if the program goes away instead."""
    def all_stopped():
        return inf.is_valid() and inf.pid and not any(thread_running(t) for t in inf.threads())

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
        post(fn if ok else (lambda: fail(why)))

    def on_stop(event):
        if all_stopped():
            finish(True)

    def on_exit(event):
        finish(False, "the program exited")

    timer = threading.Timer(timeout, lambda: post(lambda: finish(False, "no stop within %d s" % timeout)))
    timer.daemon = True
    gdb.events.stop.connect(on_stop)
    gdb.events.exited.connect(on_exit)
    timer.start()


def kill_restarted():
    """At gdb's exit: kill the programs that ckpt restarted, as gdb kills the programs it
    started (it would only detach them: they were attached)."""
    for inf in gdb.inferiors():
        try:
            if inf.pid and inf.pid in _RESTARTED and connection_type(inf) == "native":
                if gdb.selected_inferior().num != inf.num:
                    gdb.execute("inferior %d" % inf.num, to_string=True)
                with confirm_off():
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
