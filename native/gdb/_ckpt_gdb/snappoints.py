"""Snappoints (ckpt snappoint): breakpoints that save the program and let it go on.

A snappoint is a gdb.Breakpoint whose stop() method saves, as ckpt save does (incremental,
with the session's write tracker), and returns False, so gdb never stops there: a `next` or
`finish` over one goes on as it would.  stop() holds every thread stopped for the capture
(holdall).  gdb allows no condition on a breakpoint that has a stop method, so a snappoint's
condition is evaluated by stop() itself.  stop() calls the code of the package loaded now:
snappoints made before the extension was sourced again use the new code, and keep their
counts, which live on the breakpoint."""

import sys

import gdb

from . import CkptError
from . import rewind
from .holdall import Held
from .inferior import breakpoint_addresses, check_live, held_threads
from .save import capture_held, saved_line
from .statefiles import default_path

_MODULE = __name__  # looked up at each hit: the copy loaded now


class SnapPoint(gdb.Breakpoint):
    def __init__(self, spec, condition=None):
        super().__init__(spec, gdb.BP_BREAKPOINT)
        self.ckpt_snappoint = True
        self.ckpt_condition = condition
        self.ckpt_hits = 0       # hits with the condition true
        self.ckpt_failed = 0     # of those, the ones not saved
        self.ckpt_last = None    # the last statefile saved

    def stop(self):
        module = sys.modules.get(_MODULE)
        return module.on_hit(self) if module is not None else False


def snappoints():
    return [b for b in gdb.breakpoints() if getattr(b, "ckpt_snappoint", False) and b.is_valid()]


def _warn(bp, text):
    gdb.write("ckpt: snappoint %d: %s\n" % (bp.number, text), gdb.STDERR)


def on_hit(bp):
    """gdb's check of a snappoint that was hit; always False: the program goes on."""
    if rewind.refreshing():
        return False
    try:
        if bp.ckpt_condition:
            try:
                if not bool(gdb.parse_and_eval(bp.ckpt_condition)):
                    return False
            except gdb.error as e:
                _warn(bp, "cannot evaluate the condition %s (%s); not saved" % (bp.ckpt_condition, e))
                return False
        bp.ckpt_hits += 1
        r = _save(bp)
        gdb.write("Snappoint %d, hit %d: %s\n" % (bp.number, bp.ckpt_hits, saved_line(r)))
    except (CkptError, gdb.error, OSError) as e:
        bp.ckpt_failed += 1
        _warn(bp, "not saved at hit %d: %s" % (bp.ckpt_hits, str(e).splitlines()[0] if str(e) else type(e).__name__))
    except Exception as e:  # a bug here must not stop the program
        bp.ckpt_failed += 1
        _warn(bp, "internal error: %s: %s" % (type(e).__name__, e))
    return False


def _save(bp):
    inf = gdb.selected_inferior()
    thread = gdb.selected_thread()  # the one that hit it
    check_live(inf, "a snappoint")
    held = Held(held_threads(inf), thread.ptid[1], breakpoint_addresses())
    held.hold()
    try:
        path = default_path(inf)
        r = capture_held(inf, path, thread, "snappoint", "snappoint %d, hit %d" % (bp.number, bp.ckpt_hits))
    finally:
        held.release()
    bp.ckpt_last = path
    return r


def parse_spec(arg):
    """LOCATION [if COND] -> (location, condition or None)."""
    text = (arg or "").strip()
    loc, cond = text, None
    for i in range(len(text)):
        # ` if ` outside quotes ends the location, as in gdb's `break LOCATION if COND`.
        if text.startswith("if", i) and (i == 0 or text[i - 1].isspace()) and \
                (i + 2 == len(text) or text[i + 2].isspace()) and text[:i].count('"') % 2 == 0:
            loc, cond = text[:i].strip(), text[i + 2:].strip()
            break
    if not loc or (cond is not None and not cond):
        raise CkptError("usage: ckpt snappoint LOCATION [if COND]")
    return loc, cond


def create(arg):
    loc, cond = parse_spec(arg)
    try:
        return SnapPoint(loc, cond)
    except RuntimeError as e:
        raise CkptError("ckpt snappoint: %s" % e)


def delete(numbers):
    by_num = {b.number: b for b in snappoints()}
    missing = [n for n in numbers if n not in by_num]
    if missing:
        raise CkptError("ckpt snappoint delete: no snappoint %d (ckpt snappoint list shows them)" % missing[0])
    for n in numbers:
        by_num[n].delete()
