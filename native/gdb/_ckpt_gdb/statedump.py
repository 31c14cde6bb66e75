"""Run by `ckpt diff` in a batch gdb on one statefile (gdb -nx -batch EXE -c FILE -x this), not
imported by the extension.  Prints one line, "CKPT-STATE " and JSON: the saved thread's frames
of the program itself with their arguments and locals, and the program's globals (those with
debug information in the executable, not in its libraries), each as leaves (a scalar, or the
first elements and members of an array or struct) and a hash of all of its bytes."""

import hashlib
import json
import os
import re

import gdb

MAX_GLOBALS = 500
MAX_LEAVES = 64       # per variable
MAX_HASHED = 1 << 20  # bytes of one variable read for its hash
MAX_TEXT = 200        # characters of one value's text


def _text(v):
    try:
        s = v.format_string(max_elements=16, max_depth=2, repeat_threshold=10, symbols=False, address=True)
    except (gdb.error, TypeError, RuntimeError) as e:
        s = "<%s>" % str(e).splitlines()[0] if str(e) else "<unreadable>"
    return s if len(s) <= MAX_TEXT else s[:MAX_TEXT - 3] + "..."


def _leaves(v, name, out, depth=0):
    """Scalars of v, named like C: name, name.member, name[3]."""
    if len(out) >= MAX_LEAVES:
        return
    try:
        t = v.type.strip_typedefs()
    except (gdb.error, RuntimeError):
        out.append([name, _text(v)])
        return
    element = t.target().strip_typedefs() if t.code == gdb.TYPE_CODE_ARRAY else None
    text_like = element is not None and element.sizeof == 1 and element.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_CHAR)
    if depth < 3 and element is not None and not text_like:
        try:
            lo, hi = t.range()
        except (gdb.error, RuntimeError):
            lo, hi = 0, -1
        for i in range(lo, hi + 1):
            if len(out) >= MAX_LEAVES:
                return
            _leaves(v[i], "%s[%d]" % (name, i), out, depth + 1)
    elif depth < 3 and t.code in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
        for f in t.fields():
            if len(out) >= MAX_LEAVES:
                return
            if f.is_base_class or not f.name:
                continue
            try:
                _leaves(v[f.name], "%s.%s" % (name, f.name), out, depth + 1)
            except (gdb.error, RuntimeError):
                continue
    else:
        out.append([name, _text(v)])  # scalars, pointers, and char arrays as strings


def _hash(v):
    try:
        addr = v.address
        size = v.type.sizeof
        if addr is not None and 0 < size:
            data = gdb.selected_inferior().read_memory(int(addr), min(size, MAX_HASHED))
            return hashlib.sha1(bytes(data)).hexdigest()
    except (gdb.error, gdb.MemoryError, RuntimeError, ValueError, OverflowError):
        pass
    return hashlib.sha1(_text(v).encode("utf-8", "replace")).hexdigest()


def _describe(v, name):
    leaves = []
    _leaves(v, name, leaves)
    return {"name": name, "leaves": leaves, "hash": _hash(v)}


def _ours(symtab, exe):
    try:
        return symtab is not None and symtab.objfile is not None and \
            os.path.realpath(symtab.objfile.filename) == exe
    except (gdb.error, RuntimeError):
        return False


def frames(exe):
    out = []
    f = gdb.newest_frame()
    while f is not None:
        fn = f.function()
        if fn is not None and _ours(fn.symtab, exe):
            seen = set()
            variables = []
            try:
                block = f.block()
            except RuntimeError:
                block = None
            while block is not None:
                for sym in block:
                    if not (sym.is_argument or sym.is_variable) or sym.name in seen:
                        continue
                    seen.add(sym.name)  # an inner name hides an outer one
                    try:
                        v = f.read_var(sym, block)
                    except (gdb.error, ValueError, RuntimeError):
                        continue
                    d = _describe(v, sym.name)
                    d["kind"] = "argument" if sym.is_argument else "local"
                    variables.append(d)
                if block.function is not None:
                    break
                block = block.superblock
            out.append({"level": f.level(), "function": fn.print_name, "variables": variables})
        f = f.older()
    return out


def _source_files(exe):
    """The executable's own source files (not headers), from `info sources`."""
    files, objfile = [], None
    for line in gdb.execute("info sources", to_string=True).splitlines():
        if line.endswith(":") and ", " not in line:  # "OBJFILE:" starts its list of sources
            objfile = os.path.realpath(line[:-1])
        elif objfile == exe:
            files += [n.strip() for n in line.split(", ") if re.search(r"\.(c|cc|cpp|cxx|c\+\+|C)$", n.strip())]
    return files


def globals_of(exe):
    out, seen, total = [], set(), 0
    for src in _source_files(exe):
        try:
            sals = gdb.decode_line("%s:1" % src)[1] or ()
        except gdb.error:
            continue
        for sal in sals:
            if sal.symtab is None:
                continue
            for block in (sal.symtab.static_block(), sal.symtab.global_block()):
                for sym in block:
                    if not sym.is_variable or sym.addr_class == gdb.SYMBOL_LOC_UNRESOLVED or not _ours(sym.symtab, exe):
                        continue
                    key = (sym.symtab.filename, sym.name)
                    if key in seen:
                        continue
                    seen.add(key)
                    total += 1
                    if len(out) >= MAX_GLOBALS:
                        continue
                    try:
                        v = sym.value()
                    except (gdb.error, TypeError, RuntimeError):
                        continue
                    d = _describe(v, sym.name)
                    d["file"] = os.path.basename(sym.symtab.filename)
                    out.append(d)
    return out, total


def main():
    exe = os.path.realpath(gdb.current_progspace().filename or "")
    tid = int(os.environ.get("CKPT_STATEDUMP_TID") or 0)
    for t in gdb.selected_inferior().threads():
        if tid and t.ptid[1] == tid:
            t.switch()
    state = {"ok": True, "tid": gdb.selected_thread().ptid[1] if gdb.selected_thread() else None}
    try:
        state["frames"] = frames(exe)
        state["globals"], state["globals_total"] = globals_of(exe)
    except (gdb.error, RuntimeError) as e:
        state = {"ok": False, "error": str(e).splitlines()[0] if str(e) else type(e).__name__}
    gdb.write("CKPT-STATE " + json.dumps(state) + "\n")


main()
