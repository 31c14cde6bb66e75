"""The control socket: line-delimited JSON for the IDE, as native/gdb/PROTOCOL.md describes.
Its threads read requests and hand each operation to gdb's main thread, where they run one
at a time, in arrival order."""

import atexit
import json
import os
import re
import socket
import stat
import struct
import threading
import time

import gdb

from . import VERSION, CkptError
from . import autosave, labels, snappoints, timeline
from .engine import ENGINE, ORIGINS
from .inferior import connection_type, executable, inferior_state
from .mainthread import block_signals, post
from .restart import restart
from .rewind import back_to
from .save import save
from .statefiles import ckpt_dir, list_statefiles, resolve

PROTOCOL_VERSION = 4  # PROTOCOL.md: what each version added
_MAX_LINE = 64 * 1024

SERVER = None  # the control socket of this gdb, once started


def start():
    """Starts the control socket, unless CKPT_NO_SOCKET is set."""
    global SERVER
    if os.environ.get("CKPT_NO_SOCKET"):
        return
    SERVER = Server()
    SERVER.start()


def stop():
    if SERVER is not None:
        SERVER.stop()


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
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != uid:
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


class Server:
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
        atexit.register(self.stop)  # also where gdb has no gdb_exiting event

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

    def stop(self):
        if os.getpid() != self.owner_pid:
            return  # a forked helper must not remove gdb's socket
        if self.path:
            try:
                os.unlink(self.path)
            except OSError:
                pass
            self.path = None
        s, self.sock = self.sock, None
        if s is not None:
            try:
                s.shutdown(socket.SHUT_RDWR)  # wakes the accept thread, which then ends
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass

    # -- socket threads --

    def _accept_loop(self):
        block_signals()
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
        block_signals()
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
        if not isinstance(op, str) or op not in OPS:
            reply = {"ok": False, "error": "unknown op %s; known: %s" % (json.dumps(op), ", ".join(sorted(OPS)))}
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

        post(lambda: self._enqueue(lambda done: OPS[op](req, done), reply))
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
                    post(self._pump)

            try:
                job(done)
            except Exception as e:  # never leave the queue stuck
                done({"ok": False, "error": "internal error: %s: %s" % (type(e).__name__, e)})


# -- the operations, on the main thread; each calls reply(answer) once --

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
    reply({"ok": True, "gdb_pid": os.getpid(), "version": VERSION, "protocol": PROTOCOL_VERSION,
           "engine": engine, "engine_path": ENGINE.path, "socket": SERVER.path, "dir": SERVER.dir,
           "ckpt_dir": ckpt_dir(), "gdb_version": gdb.VERSION, "ops": sorted(OPS)})


def _op_info(req, reply):
    path = req.get("path")
    if path is None:
        return _op_ping(req, reply)
    if not isinstance(path, str) or not path:
        return reply({"ok": False, "error": "info: path must be a non-empty string"})
    try:
        reply({"ok": True, "info": json.loads(ENGINE.info(resolve(path), True))})
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
            state = inferior_state(inf)
            out.append({"num": inf.num, "pid": inf.pid or None, "executable": executable(inf), "state": state,
                        "threads": len(inf.threads()) if inf.pid else 0,
                        "attached": bool(inf.was_attached) if inf.pid else False,
                        "connection": connection_type(inf), "selected": inf.num == sel.num})
        except (gdb.error, RuntimeError) as e:
            out.append({"num": inf.num, "error": str(e)})
    reply({"ok": True, "inferiors": out, "non_stop": bool(gdb.parameter("non-stop"))})


# How the engine ends its refusal of an fd that restart cannot rebuild (files.c).
_UNRESTORABLE = "save anyway with --allow-unrestorable"


def _op_save(req, reply):
    path = req.get("path")
    if path is not None and (not isinstance(path, str) or not path):
        return reply({"ok": False, "error": "save: path must be a non-empty string"})
    background = req.get("background", True)
    if not isinstance(background, bool):
        return reply({"ok": False, "error": "save: background must be true or false"})
    origin = req.get("origin", "manual")
    if origin not in ORIGINS:
        return reply({"ok": False, "error": "save: origin must be one of %s" % ", ".join(ORIGINS)})
    label = req.get("label")
    if label is not None and not isinstance(label, str):
        return reply({"ok": False, "error": "save: label must be a string"})
    allow_unrestorable = req.get("allow_unrestorable", False)
    if not isinstance(allow_unrestorable, bool):
        return reply({"ok": False, "error": "save: allow_unrestorable must be true or false"})

    def done(result, error):
        if error:
            # The engine's refusal of what restart cannot rebuild, so that a client can offer
            # to save anyway.
            reply({"ok": False, "error": error, "unrestorable": _UNRESTORABLE in error})
        else:
            r = dict(result)
            r["ok"] = True
            reply(r)

    try:
        save(path, done, background, origin, label, allow_unrestorable)
    except (CkptError, gdb.GdbError, gdb.error, OSError) as e:
        r = _err(e)
        r["unrestorable"] = _UNRESTORABLE in r["error"]
        reply(r)


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

    in_place = req.get("in_place", False)
    if not isinstance(in_place, bool):
        return reply({"ok": False, "error": "restart: in_place must be true or false"})
    try:
        _travel(path, in_place, done)
    except (CkptError, gdb.GdbError, gdb.error, OSError) as e:
        reply(_err(e))


def _travel(path, in_place, done):
    """done(result, error) once gdb has reported the program's stop at statefile path."""
    if in_place:
        back_to(path, done, after_stop=True)
    else:
        restart(path, False, done)


def _op_timeline(req, reply):
    r = timeline.as_json()
    r["ok"] = True
    reply(r)


def _op_label(req, reply):
    path = req.get("path")
    if not isinstance(path, str) or not path:
        return reply({"ok": False, "error": "label: path must be a non-empty string"})
    label, note = req.get("label"), req.get("note")
    if label is None and note is None:
        return reply({"ok": False, "error": "label: give label, note or both"})
    if any(v is not None and not isinstance(v, str) for v in (label, note)):
        return reply({"ok": False, "error": "label: label and note must be strings"})
    try:
        path = resolve(path)
        labels.set_label(path, label, note)
        reply({"ok": True, "path": path, "annotation": json.loads(ENGINE.info(path, True))["annotation"]})
    except (CkptError, gdb.GdbError, ValueError) as e:
        reply(_err(e))


def _op_auto(req, reply):
    mode, directory = req.get("mode"), req.get("dir")
    if mode is not None and mode not in autosave.MODES:
        return reply({"ok": False, "error": "auto: mode must be one of %s" % ", ".join(autosave.MODES)})
    if directory is not None and (not isinstance(directory, str) or not directory):
        return reply({"ok": False, "error": "auto: dir must be a non-empty string"})
    try:
        r = autosave.configure(mode, directory) if mode is not None else autosave.status()
    except CkptError as e:
        return reply(_err(e))
    r["ok"] = True
    reply(r)


def _op_travel(target_of):
    def op(req, reply):
        def done(result, error):
            if error:
                reply({"ok": False, "error": error})
            else:
                r = dict(result)
                r["ok"] = True
                reply(r)

        try:
            _travel(target_of(req)["path"], True, done)
        except (CkptError, gdb.GdbError, gdb.error, OSError) as e:
            reply(_err(e))
    return op


def _snappoint_json(bp):
    return {"number": bp.number, "location": bp.location, "condition": bp.ckpt_condition, "enabled": bp.enabled,
            "hits": bp.ckpt_hits, "failed": bp.ckpt_failed, "last": bp.ckpt_last}


def _op_snappoint(req, reply):
    loc, cond = req.get("location"), req.get("condition")
    if not isinstance(loc, str) or not loc.strip() or " if " in " %s " % loc:
        return reply({"ok": False, "error": "snappoint: location must be a non-empty string (the condition goes apart)"})
    if cond is not None and (not isinstance(cond, str) or not cond.strip()):
        return reply({"ok": False, "error": "snappoint: condition must be a non-empty string"})
    try:
        bp = snappoints.create(loc if cond is None else "%s if %s" % (loc, cond))
    except (CkptError, gdb.error) as e:
        return reply(_err(e))
    r = _snappoint_json(bp)
    r["ok"] = True
    reply(r)


def _op_snappoints(req, reply):
    reply({"ok": True, "snappoints": [_snappoint_json(b) for b in snappoints.snappoints()]})


def _op_snappoint_delete(req, reply):
    numbers = req.get("numbers")
    if not isinstance(numbers, list) or not numbers or not all(isinstance(n, int) and not isinstance(n, bool)
                                                                for n in numbers):
        return reply({"ok": False, "error": "snappoint_delete: numbers must be a list of whole numbers"})
    try:
        snappoints.delete(numbers)
    except (CkptError, gdb.error) as e:
        return reply(_err(e))
    reply({"ok": True})


def _back_target(req):
    steps = req.get("steps", 1)
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise CkptError("back: steps must be a whole number above 0")
    return timeline.back_target(steps)


OPS = {"ping": _op_ping, "info": _op_info, "list": _op_list, "inferiors": _op_inferiors, "save": _op_save,
       "restart": _op_restart, "timeline": _op_timeline, "label": _op_label,
       "auto": _op_auto, "snappoint": _op_snappoint, "snappoints": _op_snappoints,
       "snappoint_delete": _op_snappoint_delete, "back": _op_travel(_back_target), "forward": _op_travel(lambda req: timeline.forward_target())}
