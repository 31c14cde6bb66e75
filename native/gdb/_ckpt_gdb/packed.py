"""Packed statefiles in gdb: `ckpt pack`, and for `ckpt info` and `ckpt restart` of a packed
file, its embedded executable, libraries and debug info laid out as a sysroot next to it
(FILE.sysroot/, by ckpt unpack-debug), with gdb's sysroot, solib-search-path and
debug-file-directory pointed there, so that symbols and lines come from the very files the
program ran with."""

import os

import gdb

from . import CkptError
from .engine import ENGINE


def pack(path, out, with_files):
    try:
        return ENGINE.pack(path, out, with_files)
    except CkptError as e:
        raise CkptError("ckpt pack: %s" % e)


def packed_line(path, out, r):
    return ("Packed %s into %s: %d file%s embedded (%d of them debug info), %.1f MiB; %s is %.1f MiB"
            % (path, out, r.files, "" if r.files == 1 else "s", r.debug_files, r.embedded_bytes / 1048576.0,
               out, r.file_bytes / 1048576.0))


def secrets_warning(out, with_files):
    return ("ckpt: warning: %s holds the program's memory, its environment%s: they may hold secrets "
            "(passwords, keys, tokens); share it only with people who may see them"
            % (out, ", the files it had open and the files it mapped" if with_files else " and the files it mapped"))


def _sysroot_dir(path):
    """FILE.sysroot next to the statefile, or under the user's cache when that directory is
    not writable (a statefile received into a read-only place)."""
    here = path + ".sysroot"
    if os.access(os.path.dirname(os.path.abspath(path)), os.W_OK):
        return here
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    st = os.stat(path)
    return os.path.join(cache, "ckpt", "sysroot", "%s-%d-%d" % (os.path.basename(path), st.st_ino, st.st_mtime_ns))


def sysroot_for(path, desc):
    """The sysroot of a packed statefile (made when missing or older than the file), or None
    for a statefile without embedded files."""
    if not desc.get("embedded"):
        return None
    d = _sysroot_dir(path)
    init = os.path.join(d, "gdbinit")
    try:
        fresh = os.stat(init).st_mtime_ns >= os.stat(path).st_mtime_ns
    except OSError:
        fresh = False
    if not fresh:
        os.makedirs(os.path.dirname(d), exist_ok=True)
        try:
            ENGINE.unpack_debug(path, d)
        except CkptError as e:
            raise CkptError("ckpt: cannot lay out the files embedded in %s: %s" % (path, e))
    return d


def use_sysroot(d, load_executable):
    """Points gdb at sysroot d (the settings of d/gdbinit); loads its executable when asked.
    Returns that executable's path in d, or None."""
    exe = None
    with open(os.path.join(d, "gdbinit")) as f:
        for line in f:
            line = line.strip()
            if line.startswith("set "):
                gdb.execute(line, to_string=True)
            elif line.startswith("file "):
                exe = line
    if exe and load_executable:
        gdb.execute(exe, to_string=True)
    return _unquote(exe[len("file "):]) if exe else None


def _unquote(s):
    """The path of gdbinit's `file "..."` line (ckpt unpack-debug quotes as gdb does)."""
    if len(s) < 2 or s[0] != '"' or s[-1] != '"':
        return s
    out, esc = [], False
    for c in s[1:-1]:
        if esc or c != "\\":
            out.append(c)
            esc = False
        else:
            esc = True
    return "".join(out)
