"""The time-travel commands: ckpt snappoint, ckpt timeline, ckpt back, ckpt forward, ckpt label,
ckpt diff.  Every failure is one line (gdb.GdbError), as for the other ckpt commands."""

import os
import re

import gdb

from . import CkptError
from . import autosave, diff, labels, snappoints, timeline
from .commands import guard
from .rewind import back_to
from .save import BackgroundSave


def register():
    CkptSnappoint()
    CkptSnappointList()
    CkptSnappointDelete()
    CkptTimeline()
    CkptBack()
    CkptForward()
    CkptLabel()
    CkptDiff()
    CkptAuto()


class CkptSnappoint(gdb.Command):
    """Save the program at each hit of a breakpoint, and let it go on: ckpt snappoint LOCATION [if COND]

Each hit where COND is true (or every hit, without one) saves the program as ckpt save does,
into PROGRAM-YYYYMMDD-HHMMSS.ckpt in $CKPT_DIR or the current directory, and the program goes
on without stopping; the saves join the session's timeline (ckpt timeline).  Snappoints are gdb
breakpoints: `info breakpoints`, `disable` and `delete` work on them too.

ckpt snappoint list        number, location, condition, hits and the last statefile of each
ckpt snappoint delete N... delete snappoints"""

    def __init__(self):
        super().__init__("ckpt snappoint", gdb.COMMAND_BREAKPOINTS, gdb.COMPLETE_LOCATION, True)

    @guard
    def invoke(self, arg, from_tty):
        bp = snappoints.create(arg)
        cond = " if %s" % bp.ckpt_condition if bp.ckpt_condition else ""
        gdb.write("Snappoint %d at %s%s: saves and goes on at each hit\n" % (bp.number, bp.location, cond))


class CkptSnappointList(gdb.Command):
    """List the snappoints: ckpt snappoint list"""

    def __init__(self):
        super().__init__("ckpt snappoint list", gdb.COMMAND_BREAKPOINTS, gdb.COMPLETE_NONE)

    @guard
    def invoke(self, arg, from_tty):
        if arg.strip():
            raise CkptError("usage: ckpt snappoint list")
        sps = snappoints.snappoints()
        if not sps:
            gdb.write("No snappoints.\n")
            return
        rows = [("Num", "Location", "Condition", "Hits", "Last statefile")]
        for b in sps:
            hits = str(b.ckpt_hits) + (" (%d not saved)" % b.ckpt_failed if b.ckpt_failed else "")
            rows.append((str(b.number) + ("" if b.enabled else " (disabled)"), b.location,
                         b.ckpt_condition or "", hits, b.ckpt_last or ""))
        gdb.write(_table(rows))


class CkptSnappointDelete(gdb.Command):
    """Delete snappoints: ckpt snappoint delete N..."""

    def __init__(self):
        super().__init__("ckpt snappoint delete", gdb.COMMAND_BREAKPOINTS, gdb.COMPLETE_NONE)

    @guard
    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg or "")
        if not words or not all(w.isdigit() for w in words):
            raise CkptError("usage: ckpt snappoint delete N...")
        snappoints.delete([int(w) for w in words])


def _table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n" for r in rows)


class CkptTimeline(gdb.Command):
    """Show the session's snapshots, oldest first: ckpt timeline

For each: its number, its branch and the one it follows, what made it (manual, breakpoint,
step, snappoint, automatic; restarted: a statefile from elsewhere restarted here), where the
program stopped, its file and its label.  => marks where the program is, -> the snapshot it
ran on from.  Going back (ckpt back) and saving again starts a new branch."""

    def __init__(self):
        super().__init__("ckpt timeline", gdb.COMMAND_STATUS, gdb.COMPLETE_NONE)

    @guard
    def invoke(self, arg, from_tty):
        if arg.strip():
            raise CkptError("usage: ckpt timeline")
        BackgroundSave.settle()
        gdb.write(render_timeline())


def render_timeline():
    es = timeline.entries()
    if not es:
        return "No snapshots in this session yet (ckpt save, or ckpt snappoint LOCATION).\n"
    cur, exact = timeline.current()
    branches = len({e["branch"] for e in es})
    head = "Timeline of this session: %d snapshot%s on %d branch%s (=> the program is here, -> it ran on from here)\n" \
        % (len(es), "" if len(es) == 1 else "s", branches, "" if branches == 1 else "es")
    rows = [("", "#", "Branch", "After", "Origin", "Stopped at", "File", "Label")]
    for e in es:
        mark = ("=>" if exact else "->") if cur and cur["num"] == e["num"] else ""
        origin = "restarted" if e["restarted"] else e["origin"]
        name = os.path.basename(e["path"]) + (" (saved over by #%d)" % e["overwritten_by"] if e["overwritten_by"] else "")
        rows.append((mark, str(e["num"]), str(e["branch"]), "#%d" % e["parent"] if e["parent"] else "-", origin,
                     e["stop"] or "?", name, e["label"]))
    return head + _table(rows)


def _go(target, verb, from_tty):
    def done(r, error):
        if error:
            gdb.write(error + "\n", gdb.STDERR)
        elif r.get("in_place"):
            gdb.write("%s to #%d (%s): in place, %d thread%s, %.1f MiB written back in %d ms\n" % (
                verb, target["num"], os.path.basename(target["path"]), r["threads"], "" if r["threads"] == 1 else "s",
                r["written_bytes"] / 1048576.0, int(round(r["ms"]))))
        else:
            gdb.write("%s to #%d (%s): pid %d, %d thread%s in %d ms\n" % (
                verb, target["num"], os.path.basename(target["path"]), r["pid"], r["threads"],
                "" if r["threads"] == 1 else "s", int(round(r["ms"] or 0))))

    back_to(target["path"], done, bool(from_tty))


class CkptBack(gdb.Command):
    """Go back N snapshots in the timeline (default 1) and debug from there: ckpt back [N]

The first step back from a program that ran on from a snapshot is that snapshot itself.  When
the snapshot was saved in this session from the very process gdb debugs, stopped, that process
is put back in place: only what changed since is written back.  Otherwise (another process,
mappings, threads or kernel objects that differ) the snapshot is restarted in this gdb, as
ckpt restart does (same breakpoints, same session).  Resuming from there and saving again
starts a new branch."""

    def __init__(self):
        super().__init__("ckpt back", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    @guard
    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg or "")
        if len(words) > 1 or (words and not (words[0].isdigit() and int(words[0]) > 0)):
            raise CkptError("usage: ckpt back [N]")
        _go(timeline.back_target(int(words[0]) if words else 1), "Back", from_tty)


class CkptForward(gdb.Command):
    """Go forward to the next snapshot on this branch and debug from there: ckpt forward

That is the snapshot you came back from with ckpt back, else the newest one made from here.
It is reached in place or by a restart, as ckpt back says."""

    def __init__(self):
        super().__init__("ckpt forward", gdb.COMMAND_RUNNING, gdb.COMPLETE_NONE)

    @guard
    def invoke(self, arg, from_tty):
        if arg.strip():
            raise CkptError("usage: ckpt forward")
        _go(timeline.forward_target(), "Forward", from_tty)


class CkptLabel(gdb.Command):
    """Label a snapshot: ckpt label [--note] [N|FILE] TEXT

Sets the label (one line) of timeline entry N, or of statefile FILE, or of the snapshot the
program is at, to TEXT; with --note, its free-text note, where \\n starts a new line.  Both
are kept in the statefile.  An empty TEXT ("") clears it."""

    def __init__(self):
        super().__init__("ckpt label", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        usage = "usage: ckpt label [--note] [N|FILE] TEXT"
        text = (arg or "").strip()
        m = re.match(r"(-n|--note)(\s+|$)", text)
        is_note = m is not None
        if m:
            text = text[m.end():]
        target, rest = None, text
        m = re.match(r"(\S+)\s+(.*)$", text, re.S)
        if m:
            word = m.group(1)
            if word.lstrip("#").isdigit():
                target = timeline.find(word)["path"]
            elif os.path.isfile(os.path.expanduser(word)):
                target = os.path.abspath(os.path.expanduser(word))
            if target:
                rest = m.group(2)
        if not rest:
            raise CkptError(usage)
        value = rest.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]  # TEXT as one quoted string
        if is_note:
            value = value.replace("\\n", "\n")
        if target is None:
            cur, _ = timeline.current()
            if cur is None:
                raise CkptError("ckpt label: no snapshot in this session yet; name one: " + usage[7:])
            target = cur["path"]
        labels.set_label(target, None if is_note else value, value if is_note else None)
        e = timeline.find(target)
        gdb.write("%s%s: %s \"%s\"\n" % ("#%d " % e["num"] if e else "", os.path.basename(target),
                                        "note" if is_note else "label", value))


class CkptDiff(gdb.Command):
    """Show what differs between two snapshots of one program: ckpt diff A B

A and B are timeline numbers (N or #N) or statefiles.  Shown, names first: the arguments and
locals that differ in the saved thread's frames of the program (matched from main on), the
program's globals that differ, and how many memory pages differ."""

    def __init__(self):
        super().__init__("ckpt diff", gdb.COMMAND_STATUS, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg or "")
        if len(words) != 2:
            raise CkptError("usage: ckpt diff A B")
        gdb.write(diff.diff(words[0], words[1]))


class CkptAuto(gdb.Command):
    """Save the program on its own at each stop: ckpt auto [off|breakpoint|suspend] [DIR]

breakpoint: at each stop at a breakpoint or watchpoint; suspend: also at the end of each step,
next, finish or until, and at each signal the program gets (not at an interrupt); off: never.
Each save runs in the background, as ckpt save -b does, into
PROGRAM-YYYYMMDD-HHMMSS-MMM.ckpt in DIR (without one: the directory named before, at first
$CKPT_DIR or the current directory), and
joins the timeline; the program is held only for the freeze.  A stop that comes while the
previous file is still being written is saved once that file is complete, unless the program
has gone on by then (skipped).  Without arguments: the mode and counts."""

    def __init__(self):
        super().__init__("ckpt auto", gdb.COMMAND_RUNNING, gdb.COMPLETE_FILENAME)

    @guard
    def invoke(self, arg, from_tty):
        words = gdb.string_to_argv(arg or "")
        if len(words) > 2:
            raise CkptError("usage: ckpt auto [off|breakpoint|suspend] [DIR]")
        if words:
            autosave.configure(words[0], words[1] if len(words) > 1 else None)
        st = autosave.status(settle=True)
        gdb.write("Automatic snapshots: %s%s; %d saved, %d skipped (a file still being written), %d failed\n" % (
            st["mode"], " into %s" % st["dir"] if st["dir"] and st["mode"] != "off" else "",
            st["saved"], st["skipped"], st["failed"]))
