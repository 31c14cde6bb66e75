"""Where statefiles go by default, and the statefiles in a directory."""

import datetime
import json
import os

from . import CkptError
from .engine import ENGINE
from .inferior import program_name


def ckpt_dir():
    """$CKPT_DIR, else gdb's current directory; read at each use."""
    d = os.environ.get("CKPT_DIR")
    return os.path.expanduser(d) if d else os.getcwd()


def resolve(path):
    return os.path.abspath(os.path.expanduser(path))


def default_path(inf):
    d = ckpt_dir()
    os.makedirs(d, exist_ok=True)
    stem = "%s-%s" % (program_name(inf), datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))
    path = os.path.join(d, stem + ".ckpt")
    n = 2
    while os.path.exists(path):  # two saves within one second
        path = os.path.join(d, "%s-%d.ckpt" % (stem, n))
        n += 1
    return path


def human(n):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return ("%d %s" % (n, unit)) if unit == "B" else ("%.1f %s" % (n, unit))
        n /= 1024.0


def stop_text(function, file, line):
    """Where a program stopped, as ckpt list and the timeline show it: FUNCTION at FILE:LINE."""
    where = function or "?"
    if file:
        where += " at %s:%s" % (os.path.basename(file), line or 0)
    return where


def list_statefiles(d):
    """(directory, one dict per *.ckpt file in it); d None: ckpt_dir()."""
    d = resolve(d) if d else ckpt_dir()
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
            where = stop_text(stop.get("function") or stop.get("symbol"), stop.get("file"), stop.get("line"))
            out.append({"path": p, "ok": True, "time": j.get("time"), "program": j.get("program"),
                        "stop": where, "threads": j.get("threads"), "processes": len(j.get("processes") or []),
                        "stored_bytes": j.get("stored_bytes"), "from_debugger": j.get("from_debugger")})
        except CkptError as e:
            out.append({"path": p, "ok": False, "error": str(e)})
    return d, out
