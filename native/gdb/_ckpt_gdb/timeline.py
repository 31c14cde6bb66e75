"""The session's timeline: every statefile saved in this gdb (ckpt save, snappoints, the IDE)
and every one restarted here, with parent links, and where the program is now.

A save follows the snapshot the program is at or ran on from (its parent).  Going back to an
older snapshot and saving again gives that snapshot a second child: a new branch.  Entries
are plain dicts in the session's state, which outlives a reload of the extension."""

import datetime
import os
import random

from . import CkptError
from .session import state

def _state():
    st = state("timeline",
               entries=[],      # dicts, oldest first; entry n is entries[n - 1]
               current=None,    # number of the entry the program is at or ran on from
               exact=False,     # the program is exactly at that entry (not resumed since)
               identity=None,   # (pid, start time) of the process that `current` refers to
               resumes=0,       # how often the program was resumed in this session
               session=None)
    if st.session is None:
        st.session = random.getrandbits(64) or 1
    return st


def session_id():
    return _state().session


def entries():
    return list(_state().entries)


def entry(num):
    es = _state().entries
    return es[num - 1] if isinstance(num, int) and 1 <= num <= len(es) else None


def current():
    """(entry or None, whether the program is exactly there)."""
    st = _state()
    return entry(st.current), st.exact


def _identity(pid):
    """A process, so that a later process with the same pid is not taken for it."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
        return pid, int(s[s.rindex(")") + 2:].split()[19])
    except (OSError, ValueError, IndexError):
        return pid, None


def _by_path(path):
    """The entry whose state the file at path holds (not one whose file was saved over)."""
    real = os.path.realpath(path)
    for e in _state().entries:
        if not e["overwritten_by"] and os.path.realpath(e["path"]) == real:
            return e
    return None


def find(ref):
    """The entry that ref names: N, #N, or the path of a statefile in the timeline."""
    s = str(ref).strip()
    if s.lstrip("#").isdigit():
        e = entry(int(s.lstrip("#")))
        if e is None:
            raise CkptError("there is no #%s in the timeline (it has %d snapshots)" % (s.lstrip("#"), len(_state().entries)))
        _check_file(e)
        return e
    return _by_path(os.path.abspath(os.path.expanduser(s)))


def parent_for_save(pid, path):
    """The entry that a save of process pid into path follows: where that very process is
    now, or the one before when the save goes over that one's file."""
    st = _state()
    if st.current is None or st.identity != _identity(pid):
        return None
    parent = entry(st.current)
    if parent is not None and os.path.realpath(parent["path"]) == os.path.realpath(path):
        parent = entry(parent["parent"])
    return parent


def annotation(pid, origin, label, path):
    """What a save of process pid into path records about its place in the timeline."""
    parent = parent_for_save(pid, path)
    name = None
    if parent and os.path.dirname(os.path.abspath(parent["path"])) == os.path.dirname(os.path.abspath(path)):
        name = os.path.basename(parent["path"])  # the file only names parents in its own directory
    return {"origin": origin, "label": label or "", "parent": parent["num"] if parent else None,
            "parent_name": name, "sequence": len(_state().entries) + 1, "session": session_id()}


def _branch_for(parent_num):
    """A new entry continues its parent's branch, unless the parent has a child already."""
    st = _state()
    parent = entry(parent_num)
    if parent is not None and not any(e["parent"] == parent_num for e in st.entries):
        return parent["branch"]
    return 1 + max([e["branch"] for e in st.entries] or [0])


def _add(path, origin, label, note, parent_num, stop, restarted):
    st = _state()
    e = {"num": len(st.entries) + 1, "path": os.path.abspath(path), "origin": origin, "label": label or "",
         "note": note or "", "parent": parent_num, "branch": _branch_for(parent_num), "stop": stop,
         "time": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
         "restarted": restarted, "next": None, "overwritten_by": None}
    st.entries.append(e)
    parent = entry(parent_num)
    if parent is not None:
        parent["next"] = e["num"]  # `ckpt forward` from the parent comes here
    return e


def record_save(path, pid, ann, stop, stays_stopped):
    """A save made with annotation ann; the program is now at it (stays_stopped) or runs on."""
    st = _state()
    old = _by_path(path)
    e = _add(path, ann["origin"], ann["label"], "", ann["parent"], stop, False)
    if old is not None:
        old["overwritten_by"] = e["num"]  # its file holds the new state now
    st.current, st.exact, st.identity = e["num"], stays_stopped, _identity(pid)
    return e


def record_restart(path, pid, desc):
    """The program is now the statefile path, restarted; desc is its `ckpt info --json`."""
    st = _state()
    e = _by_path(path)
    if e is None:
        # A statefile from elsewhere: it joins the timeline, after its parent if that is here.
        ann = desc.get("annotation") or {}
        parent = None
        if ann.get("parent"):
            parent = _by_path(os.path.join(os.path.dirname(os.path.abspath(path)), ann["parent"]))
        stop = desc.get("stop") or {}
        where = stop.get("function") or stop.get("symbol")
        if where and stop.get("file"):
            where += " at %s:%s" % (os.path.basename(stop["file"]), stop.get("line", 0))
        e = _add(path, ann.get("origin", "manual"), ann.get("label"), ann.get("note"),
                 parent["num"] if parent else None, where, True)
    st.current, st.exact, st.identity = e["num"], True, _identity(pid)
    return e


def on_resumed(event=None):
    """gdb.events.cont: the program runs again, so it is no longer exactly at its snapshot."""
    st = _state()
    st.exact = False
    st.resumes += 1


def resumes():
    return _state().resumes


def set_label(path, label=None, note=None):
    e = _by_path(path)
    if e is not None:
        if label is not None:
            e["label"] = label
        if note is not None:
            e["note"] = note
    return e


def _check_file(e):
    if e["overwritten_by"]:
        raise CkptError("#%d's statefile was saved over by #%d" % (e["num"], e["overwritten_by"]))


def back_target(steps):
    """The entry `ckpt back STEPS` goes to; remembers the way, for `ckpt forward`."""
    st = _state()
    cur = entry(st.current)
    if cur is None:
        raise CkptError("the timeline is empty: nothing to go back to")
    # From a program that ran on from #N, the first step back is #N itself.
    target, left = (cur, steps - 1) if not st.exact else (cur, steps)
    path = []
    while left > 0:
        parent = entry(target["parent"])
        if parent is None:
            raise CkptError("#%d is the first snapshot of its line: back %d goes too far" % (target["num"], steps))
        path.append((parent, target))
        target, left = parent, left - 1
    _check_file(target)
    for parent, child in path:
        parent["next"] = child["num"]
    return target


def forward_target():
    """The entry `ckpt forward` goes to: the one the program came back from, else the newest
    child of where it is on the same branch, else the newest child."""
    cur = entry(_state().current)
    if cur is None:
        raise CkptError("the timeline is empty: nothing to go forward to")
    nxt = entry(cur["next"])
    if nxt is None:
        children = [e for e in _state().entries if e["parent"] == cur["num"]]
        same = [e for e in children if e["branch"] == cur["branch"]]
        nxt = (same or children or [None])[-1]
    if nxt is None:
        raise CkptError("#%d has no later snapshot" % cur["num"])
    _check_file(nxt)
    return nxt


def as_json():
    st = _state()
    keys = ("num", "path", "origin", "label", "note", "parent", "branch", "stop", "time", "restarted",
            "overwritten_by")
    return {"session": "%016x" % st.session, "current": st.current, "at_current": bool(st.exact),
            "entries": [{k: e[k] for k in keys} for e in st.entries]}
