"""What gdb's inferiors and threads are doing, as the save and restart code needs to know it:
the target kind, the executable, which threads run, the threads held in a process tree, the
bytes under breakpoints that gdb keeps inserted, and where a thread stopped; and gdb commands
on the inferior without gdb's queries."""

import contextlib
import os
import re

import gdb

from . import CkptError


def connection_type(inf):
    conn = getattr(inf, "connection", None)
    if conn is not None:
        return getattr(conn, "type", None)
    # Older gdb: read the target stack.
    try:
        text = gdb.execute("info target", to_string=True)
    except gdb.error:
        return None
    if "Local core dump file" in text:
        return "core"
    if "Using the running image of" in text:
        return "native"
    return None


def thread_running(t):
    try:
        return t.is_running()
    except gdb.error:
        return False


def executable(inf):
    name = None
    try:
        name = inf.progspace.filename if inf.progspace else None
    except (gdb.error, RuntimeError):
        name = None
    if not name and inf.pid:
        try:
            name = os.readlink("/proc/%d/exe" % inf.pid)
        except OSError:
            name = None
    return name


def program_name(inf):
    exe = executable(inf)
    if exe:
        return os.path.basename(exe)
    try:
        with open("/proc/%d/comm" % inf.pid) as f:
            return f.read().strip() or "program"
    except OSError:
        return "program"


def inferior_state(inf):
    ctype = connection_type(inf)
    if ctype == "core":
        return "core"
    if not inf.pid:
        return "no-process"
    threads = inf.threads()
    running = [t for t in threads if thread_running(t)]
    if not running:
        return "stopped"
    if len(running) == len(threads):
        return "running"
    return "partly-running"


def check_live(inf, what):
    """Raises CkptError unless inf is a live local process that ckpt can work on."""
    ctype = connection_type(inf)
    if ctype == "core":
        raise CkptError("%s needs a live process, and this is a core file (a statefile already is one)" % what)
    if not inf.pid:
        raise CkptError("%s: the program is not being run" % what)
    if ctype is not None and ctype != "native":
        raise CkptError("%s works on local processes only, not over a %s target" % (what, ctype))
    if not inf.threads():
        raise CkptError("%s: the program has no threads (has it exited?)" % what)


def _descendant_of(pid, root):
    seen = 0
    while pid > 1 and seen < 64:
        if pid == root:
            return True
        try:
            with open("/proc/%d/stat" % pid) as f:
                s = f.read()
            pid = int(s[s.rindex(")") + 2:].split()[1])
        except (OSError, ValueError):
            return False
        seen += 1
    return pid == root


def held_threads(inf):
    """(pid, tid) of every thread gdb holds in the tree rooted at inf: its own, and those of
    other inferiors that are its descendants (follow-fork with detach-on-fork off)."""
    infs = [inf] + [other for other in gdb.inferiors()
                    if other.num != inf.num and other.pid and connection_type(other) == "native"
                    and _descendant_of(other.pid, inf.pid)]
    return [(i.pid, t.ptid[1] or t.ptid[0]) for i in infs for t in i.threads()]


def held_tids(inf):
    return [tid for _, tid in held_threads(inf)]


_ADDR_RE = re.compile(r"\b0x([0-9a-fA-F]{4,16})\b")


def breakpoint_addresses():
    """The addresses of gdb's breakpoints, its own internal ones included."""
    addrs = set()
    try:
        text = gdb.execute("maint info breakpoints", to_string=True)
    except gdb.error:
        text = ""
    for line in text.splitlines():
        for m in _ADDR_RE.finditer(line):
            addrs.add(int(m.group(1), 16))
    for bp in gdb.breakpoints():
        for loc in getattr(bp, "locations", []) or []:
            try:
                if loc.address:
                    addrs.add(int(loc.address))
            except (gdb.error, RuntimeError):
                pass
    return addrs


def breakpoint_patches(inf):
    """Original bytes under software breakpoints that gdb keeps inserted in memory.

    gdb shows memory with its own breakpoint bytes hidden; /proc/PID/mem shows what is really
    there.  Where they differ at a breakpoint address, the byte gdb shows is the original."""
    return [(a, shown) for a, real, shown in _inserted_breakpoints(inf)]


def inserted_breakpoint_bytes(inf):
    """(address, bytes) of the breakpoint instructions that gdb has in memory now."""
    return [(a, real) for a, real, shown in _inserted_breakpoints(inf)]


def _inserted_breakpoints(inf):
    addrs = breakpoint_addresses()
    found = []
    if not addrs:
        return found
    try:
        mem = open("/proc/%d/mem" % inf.pid, "rb", buffering=0)
    except OSError:
        return found
    with mem:
        for a in sorted(addrs):
            try:
                mem.seek(a)
                real = mem.read(1)
                shown = bytes(inf.read_memory(a, 1))
            except (OSError, ValueError, OverflowError, gdb.error, gdb.MemoryError):
                continue
            if len(real) == 1 and real != shown:
                found.append((a, real, shown))
    return found


def stop_location(thread):
    """(function, file, line) of the newest frame of thread, as gdb knows them."""
    func = fname = None
    line = 0
    prev = gdb.selected_thread()
    prev_frame = None
    switched = prev is None or prev.ptid != thread.ptid
    try:
        prev_frame = gdb.selected_frame() if switched else None
    except gdb.error:
        pass
    try:
        if switched:
            thread.switch()
        f = gdb.newest_frame()
        func = f.name()
        sal = f.find_sal()
        if sal is not None and sal.symtab is not None:
            try:
                fname = sal.symtab.fullname()
            except (gdb.error, RuntimeError):
                fname = sal.symtab.filename
            line = sal.line or 0
    except (gdb.error, RuntimeError):
        pass
    finally:
        try:
            if prev is not None and prev.is_valid() and prev.ptid != thread.ptid:
                prev.switch()
            if prev_frame is not None and prev_frame.is_valid():
                prev_frame.select()
        except (gdb.error, RuntimeError):
            pass
    return func, fname, line


@contextlib.contextmanager
def confirm_off():
    """gdb commands inside run without gdb's queries (kill, file)."""
    old = gdb.parameter("confirm")
    gdb.execute("set confirm off", to_string=True)
    try:
        yield
    finally:
        gdb.execute("set confirm %s" % ("on" if old else "off"), to_string=True)
