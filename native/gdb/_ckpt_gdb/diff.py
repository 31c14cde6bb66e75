"""ckpt diff A B: what differs between two statefiles of one program.

Each statefile is opened as a core file by a batch gdb of its own (gdb -nx -batch EXE -c FILE,
running statedump.py), both at once; their frames of the saved thread (matched from the
outermost, by function) and globals are compared by name.  Pages are compared in the files
themselves: the root image's PT_LOAD segments, by address, with what a file does not store
taken as zeros."""

import json
import mmap
import os
import struct
import subprocess


from . import CkptError
from . import timeline
from .engine import ENGINE
from .statefiles import human

_STATEDUMP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "statedump.py")
_PAGE = 4096
_CHUNK = 1 << 20
_SHOWN_LEAVES = 4  # per variable; more are counted


def resolve(ref):
    """(path, how to name it): N and #N are timeline entries, anything else a file."""
    s = str(ref).strip()
    if s.lstrip("#").isdigit():
        e = timeline.find(s)
        return e["path"], "#%d" % e["num"]
    path = os.path.abspath(os.path.expanduser(s))
    if not os.path.isfile(path):
        raise CkptError("ckpt diff: no such statefile: %s" % path)
    e = timeline.find(path)
    return path, ("#%d" % e["num"]) if e else os.path.basename(path)


def _elf_build_id(path):
    """The GNU build-id of an ELF file, as hex, or None."""
    try:
        with open(path, "rb") as f:
            eh = f.read(64)
            if eh[:4] != b"\x7fELF" or eh[4] != 2:
                return None
            phoff, = struct.unpack_from("<Q", eh, 32)
            phentsize, phnum = struct.unpack_from("<HH", eh, 54)
            for i in range(phnum):
                f.seek(phoff + i * phentsize)
                p_type, _, p_offset, _, _, p_filesz = struct.unpack("<IIQQQQ", f.read(40))
                if p_type != 4:  # PT_NOTE
                    continue
                f.seek(p_offset)
                notes, pos = f.read(min(p_filesz, 1 << 16)), 0
                while pos + 12 <= len(notes):
                    namesz, descsz, ntype = struct.unpack_from("<III", notes, pos)
                    name_end = pos + 12 + ((namesz + 3) & ~3)
                    if ntype == 3 and notes[pos + 12:pos + 12 + namesz].rstrip(b"\0") == b"GNU":
                        return notes[name_end:name_end + descsz].hex()
                    pos = name_end + ((descsz + 3) & ~3)
    except (OSError, struct.error):
        pass
    return None


def _describe(path):
    try:
        return json.loads(ENGINE.info(path, True))
    except CkptError as e:
        raise CkptError("ckpt diff: %s" % e)


def _same_program(a, b, da, db):
    pa, pb = da.get("program"), db.get("program")
    if pa != pb:
        raise CkptError("ckpt diff: %s and %s are statefiles of different programs (%s and %s)" % (a, b, pa, pb))
    ba = (da.get("processes") or [{}])[0].get("exe_build_id")
    bb = (db.get("processes") or [{}])[0].get("exe_build_id")
    if ba != bb:
        raise CkptError("ckpt diff: %s and %s are of two different builds of %s (build-ids %s and %s)"
                        % (a, b, pa, ba, bb))
    if not pa or not os.path.isfile(pa):
        raise CkptError("ckpt diff: the program %s is not there any more, and gdb needs its symbols" % pa)
    if ba and _elf_build_id(pa) != ba:
        raise CkptError("ckpt diff: %s has been rebuilt since these statefiles were saved (its symbols would be "
                        "wrong)" % pa)
    return pa


def _start_dump(exe, path, tid):
    env = dict(os.environ, CKPT_STATEDUMP_TID=str(tid or 0), LC_ALL="C")
    gdb_path = os.environ.get("CKPT_GDB") or "gdb"
    try:
        return subprocess.Popen([gdb_path, "-nx", "-batch", "-q", exe, "-c", path, "-x", _STATEDUMP],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env, text=True)
    except OSError as e:
        raise CkptError("ckpt diff: cannot run %s: %s" % (gdb_path, e))


def _finish_dump(proc, name):
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise CkptError("ckpt diff: gdb took too long to read %s" % name)
    for line in out.splitlines():
        if line.startswith("CKPT-STATE "):
            state = json.loads(line[len("CKPT-STATE "):])
            if not state.get("ok"):
                raise CkptError("ckpt diff: gdb could not read %s: %s" % (name, state.get("error")))
            return state
    last = (err.strip().splitlines() or ["no output"])[-1]
    raise CkptError("ckpt diff: gdb could not read %s: %s" % (name, last))


# -- values --

def _var_lines(va, vb, where, key=lambda v: v["name"]):
    """Lines for the variables that differ, matched by key: A's order, then those only in B."""
    lines = []
    by_a, by_b = {key(v): v for v in va}, {key(v): v for v in vb}
    for k in [key(v) for v in va] + [key(v) for v in vb if key(v) not in by_a]:
        x, y = by_a.get(k), by_b.get(k)
        name, w = (x or y)["name"], where(x or y)
        if x is None or y is None:
            shown = (x or y)["leaves"][0][1] if (x or y)["leaves"] else "?"
            lines.append("%s (%s): %s" % (name, w, ("(none) -> %s" if x is None else "%s -> (none)") % shown))
            continue
        if x["hash"] == y["hash"] and x["leaves"] == y["leaves"]:
            continue
        la, lb = dict(x["leaves"]), dict(y["leaves"])
        differing = [n for n, _ in x["leaves"] if la.get(n) != lb.get(n)] + [n for n, _ in y["leaves"] if n not in la]
        for leaf in differing[:_SHOWN_LEAVES]:
            lines.append("%s (%s): %s -> %s" % (leaf, w, la.get(leaf, "(none)"), lb.get(leaf, "(none)")))
        if len(differing) > _SHOWN_LEAVES:
            lines.append("%s (%s): %d more elements or members differ" % (name, w, len(differing) - _SHOWN_LEAVES))
        if not differing:
            lines.append("%s (%s): differs beyond the elements shown" % (name, w))
    return lines


def _frame_lines(sa, sb):
    """Frames are paired from the outermost (main) on, while their functions agree; the lines
    come newest frame first, as in a backtrace."""
    fa, fb = list(reversed(sa["frames"])), list(reversed(sb["frames"]))
    groups, compared, tail = [], 0, []
    for x, y in zip(fa, fb):
        if x["function"] != y["function"]:
            tail = ["frame #%d is %s in A but #%d is %s in B: the frames from there on are not compared"
                    % (x["level"], x["function"], y["level"], y["function"])]
            break
        compared += 1
        lv = "#%d" % x["level"] if x["level"] == y["level"] else "#%d and #%d" % (x["level"], y["level"])
        groups.append(_var_lines(x["variables"], y["variables"],
                                 lambda v, f=x["function"], lv=lv: "%s of %s, frame %s" % (v["kind"], f, lv)))
    else:
        if len(fa) != len(fb):
            longer, which = (fa, "A") if len(fa) > len(fb) else (fb, "B")
            tail = ["%s has %d more frame(s) of the program, from %s on" % (
                which, abs(len(fa) - len(fb)), longer[min(len(fa), len(fb))]["function"])]
    return tail + [line for g in reversed(groups) for line in g], compared


def _global_lines(sa, sb):
    # Statics of the same name in two files are two variables.
    return _var_lines(sa["globals"], sb["globals"], lambda v: "global in %s" % v["file"],
                      key=lambda v: (v["file"], v["name"]))


# -- pages --

def _stored_segments(path):
    """(start, end, file offset) of the root image's PT_LOAD bytes stored in the file."""
    out = []
    with open(path, "rb") as f:
        eh = f.read(64)
        phoff, = struct.unpack_from("<Q", eh, 32)
        phentsize, phnum = struct.unpack_from("<HH", eh, 54)
        if phnum == 0xffff:  # extended numbering: the count is in section header 0
            shoff, = struct.unpack_from("<Q", eh, 40)
            f.seek(shoff + 44)
            phnum, = struct.unpack("<I", f.read(4))
        f.seek(phoff)
        table = f.read(phnum * phentsize)
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from("<IIQQQQ", table, i * phentsize)
        if p_type == 1 and p_filesz:
            out.append((p_vaddr, p_vaddr + p_filesz, p_offset))
    return sorted(out)


def _offset(segs, lo, hi):
    """Where the file stores [lo, hi), or None when it does not."""
    for start, end, off in segs:
        if start <= lo and hi <= end:
            return off + lo - start
    return None


def count_pages(path_a, path_b):
    """(pages that differ, pages stored in either file)."""
    sa, sb = _stored_segments(path_a), _stored_segments(path_b)
    cuts = sorted({a for s in sa + sb for a in s[:2]})
    differ = total = 0
    zero = bytes(_CHUNK)
    with open(path_a, "rb") as fa, open(path_b, "rb") as fb, \
            mmap.mmap(fa.fileno(), 0, access=mmap.ACCESS_READ) as ma, \
            mmap.mmap(fb.fileno(), 0, access=mmap.ACCESS_READ) as mb:
        for lo, hi in zip(cuts, cuts[1:]):  # each piece lies in at most one segment of each file
            oa, ob = _offset(sa, lo, hi), _offset(sb, lo, hi)
            if oa is None and ob is None:
                continue
            total += (hi - lo) // _PAGE
            for at in range(0, hi - lo, _CHUNK):
                n = min(_CHUNK, hi - lo - at)
                x = ma[oa + at:oa + at + n] if oa is not None else zero[:n]
                y = mb[ob + at:ob + at + n] if ob is not None else zero[:n]
                if x != y:
                    differ += sum(1 for p in range(0, n, _PAGE) if x[p:p + _PAGE] != y[p:p + _PAGE])
    return differ, total


def diff(ref_a, ref_b):
    """The text of `ckpt diff A B`."""
    ENGINE.load()
    pa, na = resolve(ref_a)
    pb, nb = resolve(ref_b)
    da, db = _describe(pa), _describe(pb)
    exe = _same_program(na, nb, da, db)
    ta, tb = (da.get("stop") or {}).get("tid"), (db.get("stop") or {}).get("tid")
    procs = [_start_dump(exe, pa, ta), _start_dump(exe, pb, tb)]
    try:
        sa = _finish_dump(procs[0], na)
        sb = _finish_dump(procs[1], nb)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    frame_lines, compared = _frame_lines(sa, sb)
    global_lines = _global_lines(sa, sb)
    differ, total = count_pages(pa, pb)
    out = ["A: %s %s" % (na, pa), "B: %s %s" % (nb, pb), "Program: %s" % exe]
    threads = "thread %s" % ta if ta == tb else "threads %s and %s" % (ta, tb)
    out.append("Frames of the saved thread (%s; %d frame%s of the program compared):"
               % (threads, compared, "" if compared == 1 else "s"))
    out += ["  " + l for l in frame_lines] or ["  no difference"]
    out.append("Globals (%d of the program's compared):" % len(sa["globals"]))
    out += ["  " + l for l in global_lines] or ["  no difference"]
    out.append("Memory: %d of %d stored pages differ (%s)" % (differ, total, human(differ * _PAGE)))
    return "\n".join(out) + "\n"
