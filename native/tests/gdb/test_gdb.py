#!/usr/bin/env python3
"""Tests of the gdb front door (`ckpt save`, `ckpt restart`, `ckpt info`, `ckpt list`, the
control socket) with real gdb, the real engine and real processes.

gdb is driven the way Eclipse CDT drives it: `gdb --interpreter=mi2 --nx`, CLI commands
through `-interpreter-exec console`, the extension loaded with `source`.  The fresh-attach and
core-file checks use plain batch gdb.  Prints one PASS or FAIL line per check.

Usage: test_gdb.py BUILD_DIR [CHECK_NAME_SUBSTRING...]"""

import difflib
import glob
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from gdbmi import GdbMI, MIError  # noqa: E402

BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build"))
ONLY = sys.argv[2:]
CKPT = os.path.join(BUILD, "bin", "ckpt")
EXT = os.path.join(BUILD, "share", "ckpt", "ckpt-gdb.py")
PACKAGE = "_ckpt_gdb"  # the extension's package, next to EXT
LIB = os.path.join(BUILD, "lib", "libckpt.so")
GDB = shutil.which("gdb")
OTHER_USER = "ckpt-test"

RESULTS = {"PASS": 0, "FAIL": 0}
WORK = tempfile.mkdtemp(prefix="ckpt-gdb-tests.")
os.chmod(WORK, 0o755)
RUNTIME = os.path.join(WORK, "xdg")
os.mkdir(RUNTIME, 0o700)
ENV = dict(os.environ)
ENV["XDG_RUNTIME_DIR"] = RUNTIME
ENV.pop("CKPT_HOME", None)
ENV.pop("CKPT_DIR", None)
ENV["LC_ALL"] = "C"
ENV.pop("PYTHONDONTWRITEBYTECODE", None)  # the no-bytecode check sees what the extension itself does
CHILDREN = []  # processes to kill at the end, by pid


def report(ok, name, detail=""):
    word = "PASS" if ok else "FAIL"
    RESULTS[word] += 1
    line = "%s gdb/%s" % (word, name)
    if detail:
        line += ": " + detail
    print(line, flush=True)
    return ok


def check(name, cond, detail="", on_fail=""):
    if not cond and on_fail:
        print(on_fail.rstrip("\n"), flush=True)
    return report(bool(cond), name, detail if cond or not on_fail else detail)


def diff(a, b, la="before", lb="after"):
    return "\n".join(difflib.unified_diff(a.splitlines(), b.splitlines(), la, lb, lineterm=""))


def selected(name):
    return not ONLY or any(o in name for o in ONLY)


# --------------------------------------------------------------------------------------------
# Programs
# --------------------------------------------------------------------------------------------

def build_programs():
    out = {}
    for src, flags in (("prog1.c", []), ("prog3.c", ["-pthread"]), ("spin.c", ["-pthread"]), ("scribble.c", []),
                       ("travel.c", ["-pthread"]), ("advice.c", [])):
        exe = os.path.join(WORK, src[:-2])
        r = subprocess.run(["gcc", "-g", "-O0"] + flags + ["-o", exe, os.path.join(HERE, src)],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("cannot build %s: %s" % (src, r.stderr))
        out[src[:-2]] = exe
    progs = os.path.join(HERE, "..", "progs")
    exe = os.path.join(WORK, "unrestorable")
    r = subprocess.run(["gcc", "-g", "-O0", "-I", progs, "-o", exe, os.path.join(progs, "unrestorable.c")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("cannot build unrestorable.c: %s" % r.stderr)
    out["unrestorable"] = exe
    return out


def break_line(src):
    with open(os.path.join(HERE, src)) as f:
        for i, line in enumerate(f, 1):
            if "BREAK-HERE" in line:
                return i
    raise RuntimeError("no BREAK-HERE in " + src)


def plain_result(exe):
    r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
    m = re.search(r"RESULT (-?\d+)", r.stdout)
    return m.group(1) if m else None


PROGRAMS = {
    # name: (source, breakpoint condition, threads)
    "prog1": ("prog1.c", "round == 3", 1),
    "prog3": ("prog3.c", None, 3),
}


def start_mi(extra_env=None, user=None):
    env = dict(ENV)
    if extra_env:
        env.update(extra_env)
    g = GdbMI(GDB, env=env, cwd=WORK, user=user)
    # What CDT sends before a launch (abridged).
    g.mi("-gdb-set mi-async on")
    g.mi("-gdb-set breakpoint pending on")
    g.mi("-enable-pretty-printing")
    return g


def install_extension(share_ckpt):
    """Copies the extension as the build installs it: the loader and its package next to it."""
    os.makedirs(share_ckpt, exist_ok=True)
    shutil.copy(EXT, share_ckpt)
    shutil.copytree(os.path.join(os.path.dirname(EXT), PACKAGE), os.path.join(share_ckpt, PACKAGE))
    return os.path.join(share_ckpt, os.path.basename(EXT))


def load_ext(g, path=EXT):
    return g.console_cmd("source " + path)


def run_to_break(g, name, non_stop=False, always_inserted=False):
    src, cond, _ = PROGRAMS[name]
    if non_stop:
        g.mi("-gdb-set non-stop on")
    if always_inserted:
        g.console_cmd("set breakpoint always-inserted on")
    g.mi("-file-exec-and-symbols " + EXES[name])
    bp = "-break-insert %s%s:%d" % ("-c \"%s\" " % cond if cond else "", src, break_line(src))
    g.mi(bp)
    n = len(g.async_records)
    g.mi("-exec-run")
    rec = g.wait_stopped(60, since=n)
    if 'reason="breakpoint-hit"' not in rec:
        raise MIError("did not stop at the breakpoint: " + rec)
    g.pump(0.2)
    return rec


def saw_output(g, text):
    """Whether the program printed text.  Without an inferior tty the program shares gdb's
    stdout pipe, so its lines can land in the middle of an MI record: search every line."""
    return any(text in line for line in g.log)


def socket_path(gdb_pid, runtime=RUNTIME):
    return os.path.join(runtime, "ckpt", "gdb-%d.sock" % gdb_pid)


# --------------------------------------------------------------------------------------------
# The state that must survive: bt, info threads, info locals in each frame, registers, $xmm0
# --------------------------------------------------------------------------------------------

def state_commands(nthreads, frames):
    """(key, command) pairs; frames[i] is the number of frames of thread i+1."""
    cmds = [("bt", "bt"), ("info threads", "info threads")]
    for t in range(1, nthreads + 1):
        cmds.append((None, "thread %d" % t))
        cmds.append(("t%d bt" % t, "bt"))
        for k in range(frames[t - 1]):
            cmds.append(("t%d frame %d" % (t, k), "frame %d" % k))
            cmds.append(("t%d frame %d info locals" % (t, k), "info locals"))
        cmds.append(("t%d info registers" % t, "info registers rip rsp rbp"))
        cmds.append(("t%d xmm0" % t, "p $xmm0"))
    cmds.append((None, "thread 1"))
    cmds.append(("final bt", "bt"))
    return cmds


def state_via_mi(g, cmds):
    out = {}
    for key, c in cmds:
        text = g.console_cmd(c)
        if key:
            out[key] = text
    return out


def state_via_batch(args, cmds, env=None):
    """Runs batch gdb with args and the state commands; returns (state dict, whole output)."""
    script = os.path.join(WORK, "state-%d.gdb" % time.time_ns())
    with open(script, "w") as f:
        for i, (key, c) in enumerate(cmds):
            f.write("echo \\n@@@ %d\\n\n" % i)
            f.write(c + "\n")
        f.write("echo \\n@@@ end\\n\n")
    r = subprocess.run([GDB, "-nx", "-q", "-batch"] + args + ["-x", script], capture_output=True, text=True,
                       env=env or ENV, timeout=120, cwd=WORK)
    text = r.stdout
    parts = re.split(r"^@@@ (\d+|end)\n", text, flags=re.M)
    chunks = {}
    for i in range(1, len(parts) - 1, 2):
        if parts[i] != "end":
            chunks[int(parts[i])] = parts[i + 1]
    out = {}
    for i, (key, c) in enumerate(cmds):
        if key:
            out[key] = chunks.get(i, "<missing>")[:-1] if chunks.get(i, "").endswith("\n") else chunks.get(i, "<missing>")
    return out, r.stdout + r.stderr


_THREAD_NAME = re.compile(r'(\(LWP \d+\)) "[^"]*"')


def normalise(key, text, core=False):
    """What may differ for reasons unrelated to ckpt:
    - 'info threads' shows thread names for live processes (from /proc), never for cores, and
      pads its columns to the longest name; names and runs of spaces are removed there;
    - gdb's one-time chatter lines ('[New Thread ...]', '[Switching to ...]', libthread_db
      notices) are dropped everywhere;
    - the value-history number of `p` ($1, $2, ...) counts prints within one gdb session.
    Nothing else is touched: frames, arguments, locals, registers and $xmm0 compare verbatim."""
    lines = []
    for line in text.splitlines():
        if re.match(r"^\[(New |Switching |Thread debugging|Current thread)", line) or \
                line.startswith("Using host libthread_db"):
            continue
        line = re.sub(r"^\$\d+ = ", "$N = ", line)
        if key.endswith("info threads"):
            line = _THREAD_NAME.sub(r"\1", line)
            line = re.sub(r"\s+", " ", line).strip()
        lines.append(line)
    return "\n".join(lines).strip("\n")


def compare_states(name, before, after, core=False):
    bad = []
    for key in before:
        a = normalise(key, before[key], core)
        b = normalise(key, after.get(key, "<missing>"), core)
        if a != b:
            bad.append("--- %s ---\n%s" % (key, diff(a, b)))
    return check(name, not bad, "%d outputs identical" % len(before) if not bad else "%d outputs differ" % len(bad),
                 "\n".join(bad))


def frame_counts(g, nthreads):
    counts = []
    for t in range(1, nthreads + 1):
        g.console_cmd("thread %d" % t)
        bt = g.console_cmd("bt")
        counts.append(len(re.findall(r"^#\d+", bt, re.M)))
    g.console_cmd("thread 1")
    return counts


SAVED_RE = re.compile(r"^Saved (\S+): (\d+) threads, (\d+\.\d) MiB in (\d+) ms$", re.M)


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------

def test_layout():
    """The structs that the extension mirrors with ctypes have exactly the layout of ckpt.h's
    (a field added to the header without the extension following would make the engine read
    past them)."""
    tag = "abi"
    exe = os.path.join(WORK, "layout")
    r = subprocess.run(["gcc", "-I", os.path.join(HERE, "..", "..", "include"), "-o", exe,
                        os.path.join(HERE, "layout.c")], capture_output=True, text=True)
    if not check(tag + "/layout-program", r.returncode == 0, "", r.stderr):
        return
    c = json.loads(subprocess.run([exe], capture_output=True, text=True).stdout)
    code = ("import json, ctypes\n"
            "from _ckpt_gdb.engine import MIRRORED_STRUCTS\n"
            "print('LAYOUT ' + json.dumps({k: {'size': ctypes.sizeof(v), 'fields': "
            "{f[0]: getattr(v, f[0]).offset for f in v._fields_}} for k, v in MIRRORED_STRUCTS.items()}))\n")
    script = os.path.join(WORK, "layout.py")
    with open(script, "w") as f:
        f.write(code)
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-ex", "source " + script],
                       capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=60)
    m = re.search(r"^LAYOUT (.*)$", r.stdout, re.M)
    py = json.loads(m.group(1)) if m else {}
    # layout.c prints exactly the structs that the extension mirrors: no more, no fewer.
    check(tag + "/same-structs", sorted(c) == sorted(py), ", ".join(sorted(py)),
          "layout.c: %s\nextension: %s\n%s" % (", ".join(sorted(c)), ", ".join(sorted(py)), r.stdout + r.stderr))
    for name in sorted(c):
        check(tag + "/" + name, py.get(name) == c[name], "size %d, %d fields" % (c[name]["size"],
                                                                                 len(c[name]["fields"])),
              "C: %s\nctypes: %s" % (json.dumps(c[name]), json.dumps(py.get(name))))


def test_fidelity(name):
    src, cond, nthreads = PROGRAMS[name]
    tag = "fidelity-%s" % name
    expected = plain_result(EXES[name])
    check(tag + "/plain-run", expected is not None, "RESULT %s" % expected)
    statefile = os.path.join(WORK, "%s.ckpt" % name)
    g = start_mi()
    try:
        load_ext(g)
        run_to_break(g, name)
        frames = frame_counts(g, nthreads)
        cmds = state_commands(nthreads, frames)
        before = state_via_mi(g, cmds)
        check(tag + "/threads", len(re.findall(r"^\*?\s+\d+\s+Thread", before["info threads"], re.M)) == nthreads,
              "%d threads, frames per thread %s" % (nthreads, frames), before["info threads"])
        want = {"prog1": ["scaled = ", "total = ", "label = ", "cells = "],
                "prog3": ["half = ", "twice = ", "mix = ", "before = ", "go = ", "base = "]}[name]
        alltext = "".join(v for k, v in before.items() if k.endswith("info locals"))
        check(tag + "/locals-present", all(w in alltext for w in want), "locals %s seen" % ", ".join(
            w.rstrip(" =") for w in want), alltext)
        out = g.console_cmd("ckpt save " + statefile)
        m = SAVED_RE.search(out)
        check(tag + "/save-line", m and m.group(1) == statefile and int(m.group(2)) == nthreads, out.strip(), out)
        # The session goes on after a save: the original run finishes with the same result.
        g.mi("-break-delete")
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("*stopped" in r and "exited" in r for r in g.async_records[n:]), 60, "exit")
        check(tag + "/original-continues", saw_output(g, "RESULT %s" % expected),
              "RESULT %s" % expected, "\n".join(g.target_output[-5:]))

        # (a) ckpt restart in the same gdb, through MI.
        del g.log[:]
        t0 = time.time()
        out = g.console_cmd("ckpt restart " + statefile, timeout=120)
        check(tag + "/restart-line", re.search(r"^Restarted %s: pid \d+, %d threads in \d+ ms$" % (re.escape(statefile),
                                                                                              nthreads), out, re.M),
              "%.0f ms" % ((time.time() - t0) * 1000), out)
        after = state_via_mi(g, cmds)
        compare_states(tag + "/same-gdb", before, after)
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("*stopped" in r for r in g.async_records[n:]), 60, "stop")
        stops = [r for r in g.async_records[n:] if r.startswith("*stopped")]
        g.pump(0.3)
        check(tag + "/same-gdb-continue", 'reason="exited-normally"' in stops[0] and
              saw_output(g, "RESULT %s" % expected),
              "RESULT %s" % expected, "%s\n%s" % (stops[0], "\n".join(g.log[-8:])))
    finally:
        g.close()

    # (b) a fresh `gdb -p` after `ckpt restart --stopped`.
    p = subprocess.Popen([CKPT, "restart", statefile, "--stopped", "--json"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ENV)
    line = p.stdout.readline()  # only the first line: the program inherits this pipe
    info = json.loads(line)
    pid = info["pid"]
    CHILDREN.append(pid)
    fresh, whole = state_via_batch(["-p", str(pid)], cmds)
    compare_states(tag + "/fresh-gdb-p", before, fresh)
    # Continue in a fresh gdb that has the extension (as CDT's would): no stray SIGSTOP stops.
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-p", str(pid),
                        "-ex", "continue"], capture_output=True, text=True, env=ENV, timeout=120)
    rest = p.stdout.read().decode()
    p.wait()
    check(tag + "/fresh-gdb-p-continue", "exited normally" in r.stdout and "SIGSTOP" not in r.stdout and
          ("RESULT %s" % expected) in rest, "RESULT %s, no stray SIGSTOP" % expected, r.stdout + r.stderr + rest)

    # (c) the statefile as a core file.
    core, whole = state_via_batch(["-c", statefile, EXES[name]], cmds)
    compare_states(tag + "/gdb-c", before, core, core=True)


def _kill_pid(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def test_plain_debuggers():
    """After `ckpt restart --stopped`, each command it prints attaches a debugger that runs the
    3-thread program straight to its undisturbed result with no SIGSTOP reported: gdb with the
    extension, plain gdb, and lldb.  `ckpt debug` lands in the saved thread and frame."""
    tag = "plain-debuggers"
    expected = plain_result(EXES["prog3"])
    statefile = os.path.join(WORK, "plain.ckpt")
    g = start_mi()
    try:
        load_ext(g)
        run_to_break(g, "prog3")
        # Save from worker thread 2, so that landing in the saved thread is not thread 1 by luck.
        g.console_cmd("thread 2")
        saved_frame = g.console_cmd("frame")
        saved_thread = g.console_cmd("thread")
        g.console_cmd("ckpt save " + statefile)
    finally:
        g.close()
    m = re.search(r"^#0\s+(?:0x[0-9a-f]+ in )?(\w+)", saved_frame, re.M)
    saved_fn = m.group(1) if m else None
    check(tag + "/saved-in-thread-2", saved_fn and "Current thread is 2 " in saved_thread,
          "thread 2, frame #0 in %s" % saved_fn, saved_thread + saved_frame)

    p = subprocess.Popen([CKPT, "restart", statefile, "--stopped"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ENV)
    pid = int(p.stdout.readline())
    CHILDREN.append(pid)
    p.stderr.flush()
    hint = ""
    while True:  # the hint lines, up to the lldb one; the program keeps stderr open
        line = p.stderr.readline().decode()
        hint += line
        if not line or "lldb" in line:
            break
    commands = [l.split("ckpt:", 1)[1].strip() for l in hint.splitlines() if re.match(r"^ckpt:\s+(gdb|lldb) ", l)]
    check(tag + "/stopped-prints-commands", len(commands) == 3 and all(str(pid) in c for c in commands),
          "%d commands for pid %d" % (len(commands), pid), hint)
    _kill_pid(pid)
    p.stdout.close()
    p.stderr.close()
    p.wait()

    # Each printed command, with `continue`: straight to the end, no SIGSTOP reported.  A new
    # restart for each, since each run consumes the program.
    for name, want in (("gdb-with-extension", "gdb -iex"), ("plain-gdb", "handle SIGSTOP"), ("lldb", "lldb ")):
        cmd = next((c for c in commands if want in c), None)
        if not cmd:
            check(tag + "/" + name, False, "no such command printed", hint)
            continue
        if name == "lldb" and not shutil.which("lldb"):
            check(tag + "/" + name, False, "lldb is not installed (scripts/test.sh installs Debian's lldb)")
            continue
        pid, rp = restart_stopped(statefile)
        argv = shlex.split(cmd.replace(re.search(r"-p (\d+)", cmd).group(1), str(pid)))
        if argv[0] == "gdb":
            argv = [GDB, "-nx", "-batch"] + argv[1:] + ["-ex", "continue"]
            done = "exited normally"
        else:
            argv = argv + ["-b", "-o", "continue"]
            done = "exited with status = 0"
        r = subprocess.run(argv, capture_output=True, text=True, env=ENV, timeout=120, stdin=subprocess.DEVNULL)
        rest = rp.stdout.read().decode()
        rp.wait()
        out = r.stdout + r.stderr
        # lldb lists the attach's own stop as "stop reason = signal SIGSTOP": only what follows
        # `continue` counts.
        after = out.split("(lldb) continue", 1)[-1]
        stray = re.findall(r"received signal SIGSTOP|stop reason = signal SIGSTOP", after)
        check(tag + "/" + name, done in out and not stray and ("RESULT %s" % expected) in rest,
              "%s: RESULT %s, no SIGSTOP reported" % (" ".join(shlex.quote(a) for a in argv[:1] + argv[1:]).replace(WORK, "$WORK"), expected),
              out + rest)

    # ckpt debug: gdb with the extension, in the saved thread and frame, and on to the end.
    r = subprocess.run([CKPT, "debug", statefile, "--", "-nx", "-batch", "-ex", "thread", "-ex", "frame",
                        "-ex", "continue"], capture_output=True, text=True, env=ENV, timeout=120,
                       stdin=subprocess.DEVNULL, cwd=WORK)
    out = r.stdout + r.stderr
    after = out.split("Restarted ", 1)[-1]
    m = re.search(r"^#0\s+(?:0x[0-9a-f]+ in )?(\w+)", after, re.M)
    check(tag + "/ckpt-debug-lands-in-saved-frame", "Current thread is 2 " in after and m and m.group(1) == saved_fn,
          "thread 2, frame #0 in %s" % (m.group(1) if m else None), out)
    check(tag + "/ckpt-debug-runs-to-end", "exited normally" in out and "SIGSTOP" not in out and
          ("RESULT %s" % expected) in out, "RESULT %s" % expected, out)
    r = subprocess.run([CKPT, "debug", os.path.join(WORK, "no-such.ckpt")], capture_output=True, text=True,
                       env=ENV, timeout=60, stdin=subprocess.DEVNULL)
    check(tag + "/ckpt-debug-bad-file", r.returncode == 1 and r.stderr.count("\n") == 1 and
          r.stderr.startswith("ckpt: ") and not r.stdout, r.stderr.strip(), r.stdout + r.stderr)


def test_session():
    """Save twice, then step, next, finish, continue and breakpoints keep working."""
    tag = "session"
    g = start_mi()
    try:
        load_ext(g)
        src = "prog1.c"
        g.mi("-file-exec-and-symbols " + EXES["prog1"])
        g.mi("-break-insert %s:%d" % (src, break_line(src)))
        n = len(g.async_records)
        g.mi("-exec-run")
        g.wait_stopped(60, since=n)
        f1, f2 = os.path.join(WORK, "s1.ckpt"), os.path.join(WORK, "s2.ckpt")
        o1 = g.console_cmd("ckpt save " + f1)
        n = len(g.async_records)
        g.mi("-exec-next")
        r1 = g.wait_stopped(30, since=n)
        o2 = g.console_cmd("ckpt save " + f2)
        check(tag + "/save-twice", SAVED_RE.search(o1) and SAVED_RE.search(o2) and os.path.getsize(f1) > 0 and
              os.path.getsize(f2) > 0, "two statefiles", o1 + o2)
        check(tag + "/next-after-save", 'reason="end-stepping-range"' in r1 and 'line="14"' in r1, "line 14", r1)
        n = len(g.async_records)
        g.mi("-exec-finish")
        r2 = g.wait_stopped(30, since=n)
        check(tag + "/finish-after-save", 'reason="function-finished"' in r2 and 'func="accumulate"' in r2,
              "back in accumulate", r2)
        n = len(g.async_records)
        g.mi("-exec-step")
        r3 = g.wait_stopped(30, since=n)
        check(tag + "/step-after-save", 'reason="end-stepping-range"' in r3, "stepped", r3)
        n = len(g.async_records)
        g.mi("-exec-continue")
        r4 = g.wait_stopped(30, since=n)
        check(tag + "/breakpoint-after-save", 'reason="breakpoint-hit"' in r4 and 'round="1"' in r4.replace(
            'name="round",value="1"', 'round="1"'), "hit again with round=1", r4)
        o3 = g.console_cmd("ckpt save")  # default name in the cwd
        m = SAVED_RE.search(o3)
        ok = m and re.match(r"prog1-\d{8}-\d{6}(-\d+)?\.ckpt$", os.path.basename(m.group(1))) and \
            os.path.dirname(m.group(1)) == WORK
        check(tag + "/default-name", ok, os.path.basename(m.group(1)) if m else "", o3)
        os.makedirs(os.path.join(WORK, "ckptdir"), exist_ok=True)
        # CKPT_DIR is read when saving.
        g.console_cmd("python import os; os.environ['CKPT_DIR'] = %r" % os.path.join(WORK, "ckptdir"))
        o4 = g.console_cmd("ckpt save")
        m = SAVED_RE.search(o4)
        check(tag + "/ckpt-dir", m and os.path.dirname(m.group(1)) == os.path.join(WORK, "ckptdir"), o4.strip(), o4)
        g.console_cmd("python import os; del os.environ['CKPT_DIR']")
        o5 = g.console_cmd("ckpt list " + WORK)
        check(tag + "/list", "s1.ckpt" in o5 and "s2.ckpt" in o5 and "step_here at prog1.c:13" in o5,
              "%d lines" % len(o5.splitlines()), o5)
        o6 = g.console_cmd("ckpt info " + f2)
        check(tag + "/info", "Stopped at" in o6 and "prog1" in o6, o6.splitlines()[0] if o6 else "", o6)
        mode = stat.S_IMODE(os.stat(f1).st_mode)
        check(tag + "/statefile-mode", mode == 0o600, "%o" % mode)
        # Restart the second save in this gdb and step from there.
        g.console_cmd("ckpt restart " + f2, timeout=120)
        bt = g.console_cmd("bt 1")
        check(tag + "/restart-lands-at-save", "step_here" in bt and "prog1.c:14" in bt, bt.strip().splitlines()[0], bt)
        n = len(g.async_records)
        g.mi("-exec-next")
        r5 = g.wait_stopped(30, since=n)
        check(tag + "/next-after-restart", 'reason="end-stepping-range"' in r5 and 'line="15"' in r5, "line 15", r5)
    finally:
        g.close()


def read_mem(pid, addr, n=1):
    with open("/proc/%d/mem" % pid, "rb", buffering=0) as f:
        f.seek(addr)
        return f.read(n)


def restart_stopped(statefile):
    """ckpt restart --stopped; returns (pid, Popen whose stdout carries the program's output)."""
    p = subprocess.Popen([CKPT, "restart", statefile, "--stopped", "--json"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=ENV)
    info = json.loads(p.stdout.readline())
    CHILDREN.append(info["pid"])
    return info["pid"], p


def finish_restarted(pid, p):
    """Lets a restarted (stopped) program run to its end under a gdb with the extension."""
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-p", str(pid), "-ex", "continue"],
                       capture_output=True, text=True, env=ENV, timeout=120)
    rest = p.stdout.read().decode()
    p.wait()
    return r.stdout + r.stderr, rest


def bp_address(g):
    text = g.console_cmd("info breakpoints")
    m = re.search(r"0x([0-9a-f]{8,16})", text)
    return int(m.group(1), 16)


def check_restart_at_breakpoint(tag, f, addr, orig):
    """A statefile saved with a breakpoint inserted at addr restarts with the original byte
    there, and runs to prog3's undisturbed result."""
    pid, p = restart_stopped(f)
    got = read_mem(pid, addr)
    check(tag + "/original-byte-restored", got == bytes([orig]), "0x%x: %s (original %02x)" % (addr, got.hex(), orig))
    out, rest = finish_restarted(pid, p)
    expected = plain_result(EXES["prog3"])
    check(tag + "/runs-to-end", "exited normally" in out and ("RESULT %s" % expected) in rest,
          "RESULT %s" % expected, out + rest)


def test_always_inserted():
    tag = "always-inserted"
    g = start_mi()
    f = os.path.join(WORK, "ai.ckpt")
    try:
        load_ext(g)
        run_to_break(g, "prog3", always_inserted=True)
        addr = bp_address(g)
        inf_pid = int(g.console_cmd("python print(gdb.selected_inferior().pid)").strip())
        live = read_mem(inf_pid, addr)
        shown = g.console_cmd("x/1xb 0x%x" % addr)
        check(tag + "/int3-in-memory", live == b"\xcc", "0x%x holds %s while gdb shows %s" % (
            addr, live.hex(), shown.split(":")[-1].strip()))
        out = g.console_cmd("ckpt save " + f)
        check(tag + "/save", SAVED_RE.search(out), out.strip(), out)
        orig = int(shown.split(":")[-1].strip(), 16)
    finally:
        g.close()
    check_restart_at_breakpoint(tag, f, addr, orig)


def test_non_stop():
    tag = "non-stop"
    g = start_mi()
    f = os.path.join(WORK, "ns.ckpt")
    try:
        load_ext(g)
        run_to_break(g, "prog3", non_stop=True)
        g.pump(0.3)
        threads = g.console_cmd("info threads")
        running_before = threads.count("(running)")
        check(tag + "/workers-running", running_before == 2, "2 worker threads running, main stopped", threads)
        addr = bp_address(g)
        orig = int(g.console_cmd("x/1xb 0x%x" % addr).split(":")[-1].strip(), 16)
        out = g.console_cmd("ckpt save " + f)
        g.wait_for(lambda: any(SAVED_RE.search(c) for c in g.console), 30, "the Saved line")
        line = [c for c in g.console if SAVED_RE.search(c)][0]
        check(tag + "/save", SAVED_RE.search(line).group(2) == "3", line.strip())
        g.pump(0.5)
        threads = g.console_cmd("info threads")
        check(tag + "/resumed-what-ran", threads.count("(running)") == 2 and "step_here" in threads,
              "workers running again, main still at the breakpoint", threads)
        g.console_cmd("thread 1")
        info = json.loads(subprocess.run([CKPT, "info", f, "--json"], capture_output=True, text=True).stdout)
        check(tag + "/stop-thread-first", info["stop"]["function"] == "step_here" and
              info["processes"][0]["threads"][0]["tid"] == info["stop"]["tid"], "step_here in thread %s" %
              info["stop"]["tid"])
    finally:
        g.close()
    check_restart_at_breakpoint(tag, f, addr, orig)
    expected = plain_result(EXES["prog3"])

    # ckpt restart inside a non-stop gdb, then run to the end.  gdb 13 reports each other
    # thread's attach SIGSTOP once, on the first resume; it must not be passed to the program
    # (it would stop the whole process again and again), and the user's SIGSTOP setting comes
    # back afterwards.
    g = start_mi()
    try:
        load_ext(g)
        g.mi("-gdb-set non-stop on")
        g.console_cmd("ckpt restart " + f, timeout=120)
        g.pump(0.3)
        threads = g.console_cmd("info threads")
        check(tag + "/restart-all-stopped", "(running)" not in threads and threads.count("Thread 0x") == 3,
              "3 threads, all stopped", threads)
        del g.log[:]
        rounds = 0
        while rounds < 4 and not saw_output(g, 'reason="exited-normally"'):
            rounds += 1
            g.mi("-exec-continue --all")
            deadline = time.time() + 5
            while time.time() < deadline and not saw_output(g, 'reason="exited-normally"'):
                g.pump(0.2)
                if "(running)" not in g.console_cmd("info threads") and not saw_output(g, "exited-normally"):
                    break
        sigstops = sum(1 for l in g.log if l.startswith("*stopped") and 'signal-name="SIGSTOP"' in l)
        sig = g.console_cmd("info signals SIGSTOP")
        check(tag + "/restart-runs-to-end", saw_output(g, "RESULT %s" % expected) and sigstops <= 2 and
              re.search(r"^SIGSTOP\s+Yes\s+Yes\s+Yes", sig, re.M),
              "RESULT %s after %d continue(s), %d stray SIGSTOP stop(s), SIGSTOP passed again afterwards" % (
                  expected, rounds, sigstops), "\n".join(g.log[-30:]) + sig)
    finally:
        g.close()


def test_check():
    """ckpt check in gdb reports whether a statefile can restart here, as the ckpt command does
    (text and JSON, problems included), and ckpt restart --map-path restarts a program whose
    working directory moved, landing where it was saved."""
    tag = "check"
    old, new = os.path.join(WORK, "check.old"), os.path.join(WORK, "check.new")
    os.makedirs(old, exist_ok=True)
    f = os.path.join(WORK, "check.ckpt")
    g = start_mi()
    try:
        load_ext(g)
        g.console_cmd("cd " + old)  # the program's working directory
        run_to_break(g, "prog1")
        g.console_cmd("ckpt save " + f)
        g.console_cmd("cd " + WORK)
        with confirm_off_mi(g):
            g.console_cmd("kill")
        out = g.console_cmd("ckpt check " + f)
        cmd = subprocess.run([CKPT, "check", f], capture_output=True, text=True, env=ENV).stdout
        check(tag + "/report", "restart can work here" in out and "ok       cwd        %s: is here" % old in out and
              out.strip() == cmd.strip(), out.strip().splitlines()[-1] if out.strip() else "", out + "\n" + cmd)
        out = g.console_cmd("ckpt check --json " + f)
        try:
            d = json.loads(out)
        except ValueError:
            d = {}
        check(tag + "/json", d.get("restartable") is True and any(c["area"] == "vdso" for c in d.get("checks", [])),
              "restartable: %s" % d.get("restartable"), out)
        os.rename(old, new)
        out = g.console_cmd("ckpt check " + f)
        check(tag + "/problem-reported", "PROBLEM  cwd        %s: is missing here" % old in out and
              "1 problem: restart cannot work here" in out, "cwd missing", out)
        out = g.console_cmd("ckpt check %s --map-path %s=%s" % (f, old, new))
        check(tag + "/map-path", "is missing here; %s is used instead (--map-path)" % new in out and
              "restart can work here" in out, "cwd mapped", out)
        cls, rest, _ = g.console_cmd("ckpt restart " + f, allow_error=True)
        one_line_error(tag + "/restart-refused-names-cwd", cls + " " + rest, "%s is missing here" % old)
        cls, rest, _ = g.console_cmd("ckpt check %s --map-path relative=/x" % f, allow_error=True)
        one_line_error(tag + "/bad-map-path", cls + " " + rest, "--map-path needs OLD=NEW")
        cls, rest, _ = g.console_cmd("ckpt check " + os.path.join(WORK, "missing.ckpt"), allow_error=True)
        one_line_error(tag + "/missing-file", cls + " " + rest, "ckpt check: cannot open")
        g.console_cmd("ckpt restart %s --map-path %s=%s" % (f, old, new), timeout=120)
        bt = g.console_cmd("bt 1")
        cwd = g.console_cmd("info inferiors")
        pid = re.search(r"process (\d+)", cwd)
        where = os.readlink("/proc/%s/cwd" % pid.group(1)) if pid else ""
        check(tag + "/restart-map-path", "step_here" in bt and where == new, "at step_here, cwd %s" % where, bt + cwd)
    finally:
        g.close()


class confirm_off_mi:
    """gdb's confirmations off for a command run through MI."""

    def __init__(self, g):
        self.g = g

    def __enter__(self):
        self.g.console_cmd("set confirm off")

    def __exit__(self, *exc):
        self.g.console_cmd("set confirm on")


def one_line_error(name, text, expect):
    ok = expect in text and "Traceback" not in text and "Python Exception" not in text
    return check(name, ok, text.strip().splitlines()[-1] if text.strip() else "", text)


def test_errors():
    tag = "errors"
    g = start_mi()
    try:
        load_ext(g)
        cls, rest, _ = g.console_cmd("ckpt save " + os.path.join(WORK, "x.ckpt"), allow_error=True)
        one_line_error(tag + "/no-program", cls + " " + rest, "not being run")
        g.mi("-file-exec-and-symbols " + EXES["prog1"])
        cls, rest, _ = g.console_cmd("ckpt save", allow_error=True)
        one_line_error(tag + "/not-started", cls + " " + rest, "not being run")
        cls, rest, _ = g.console_cmd("ckpt restart " + os.path.join(WORK, "missing.ckpt"), allow_error=True)
        one_line_error(tag + "/restart-missing-file", cls + " " + rest, "no such file")
        junk = os.path.join(WORK, "junk.ckpt")
        with open(junk, "wb") as f:
            f.write(b"not a statefile at all\n" * 10)
        cls, rest, _ = g.console_cmd("ckpt info " + junk, allow_error=True)
        one_line_error(tag + "/info-junk", cls + " " + rest, "error")
        cls, rest, _ = g.console_cmd("ckpt restart " + junk, allow_error=True)
        one_line_error(tag + "/restart-junk", cls + " " + rest, "ckpt restart:")
        cls, rest, _ = g.console_cmd("ckpt save a b", allow_error=True)
        one_line_error(tag + "/usage", cls + " " + rest, "usage: ckpt save [-b | -w] [-l LABEL] [--allow-unrestorable] [FILE]")
        cls, rest, _ = g.console_cmd("ckpt list " + os.path.join(WORK, "nodir"), allow_error=True)
        one_line_error(tag + "/list-missing-dir", cls + " " + rest, "No such file")
        run_to_break(g, "prog1")
        cls, rest, _ = g.console_cmd("ckpt save " + os.path.join(WORK, "nodir", "x.ckpt"), allow_error=True)
        one_line_error(tag + "/save-bad-dir", cls + " " + rest, "no such directory")
        g.console_cmd("ckpt save " + os.path.join(WORK, "errors.ckpt"))
        o = g.console_cmd("bt 1")
        check(tag + "/session-fine-after-errors", "step_here" in o, o.strip().splitlines()[0], o)
    finally:
        g.close()
    # A core-file target (a statefile opened as a core).
    statefile = os.path.join(WORK, "errors.ckpt")
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-c", statefile, EXES["prog1"],
                        "-ex", "ckpt save " + os.path.join(WORK, "core.ckpt")], capture_output=True, text=True,
                       env=ENV, timeout=60)
    one_line_error(tag + "/core-target", r.stdout + r.stderr, "core file")
    # The engine missing: the extension installed without lib/.
    lone = install_extension(os.path.join(WORK, "lone", "share", "ckpt"))
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + lone,
                        "-ex", "break prog1.c:%d" % break_line("prog1.c"), "-ex", "run",
                        "-ex", "ckpt save " + os.path.join(WORK, "nolib.ckpt"), "-ex", "kill", EXES["prog1"]],
                       capture_output=True, text=True, env=ENV, timeout=60)
    one_line_error(tag + "/engine-missing", r.stdout + r.stderr, "libckpt.so is missing")


def test_loading():
    """The loader: sourced twice, gdb has one set of ckpt commands, one set of the extension's
    event handlers and one control socket; a reload while a save is being written is refused.
    The package always comes from the loader's own directory: with other modules of that name
    on sys.path or already imported, when a Python script sources the loader, and through a
    symlink to the loader.  A loader without its package says so in one line.  No bytecode is
    written next to the sources."""
    tag = "loading"

    def same_file(a, b):
        return bool(a and b) and os.path.realpath(a) == os.path.realpath(b)

    def engine_found(out):
        """Whether `ckpt status` in out names this build's engine."""
        m = re.search(r"^engine \S+: (.*)$", out, re.M)
        return m is not None and same_file(m.group(1), LIB)

    g = start_mi()
    path = socket_path(g.proc.pid)
    try:
        load_ext(g)
        g.console_cmd("python import sys; _probe_first = sys.modules['_ckpt_gdb.sigstop']")
        load_ext(g)
        # Each copy's stop handler calls its module's settle_attached: count the calls.
        g.console_cmd("python _probe_calls = []; _probe_first.settle_attached = lambda inf: _probe_calls.append('first')")
        g.console_cmd("python _probe_second = sys.modules['_ckpt_gdb.sigstop']; _probe_settle = "
                      "_probe_second.settle_attached; _probe_second.settle_attached = lambda inf: "
                      "(_probe_calls.append('second'), _probe_settle(inf))")
        helptext = g.console_cmd("help ckpt")
        names = re.findall(r"^ckpt (\w+) --", helptext, re.M)
        check(tag + "/source-twice-one-set-of-commands", sorted(names) == ["auto", "back", "check", "diff", "forward",
                                                                          "info", "label", "list", "pack", "restart",
                                                                          "save", "snappoint", "status", "timeline"],
              ", ".join(names), helptext)
        n = len(g.async_records)
        run_to_break(g, "prog1")
        stops = sum(1 for rec in g.async_records[n:] if rec.startswith("*stopped"))
        out = g.console_cmd("python import threading; print('CALLS %s SOCKETS %d' % (','.join(_probe_calls), "
                            "sum(t.name == 'ckpt-socket' for t in threading.enumerate())))")
        m = re.search(r"CALLS (\S*) SOCKETS (\d+)", out)
        calls = m.group(1).split(",") if m and m.group(1) else []
        check(tag + "/source-twice-handlers-once", "first" not in calls and calls.count("second") == stops,
              "%d stop(s): the second copy's handler ran %d time(s), the first copy's %d" % (
                  stops, calls.count("second"), calls.count("first")), out)
        g.console_cmd("python _probe_second.settle_attached = _probe_settle")
        c = Client(path)
        r = c.req({"op": "ping"})
        check(tag + "/source-twice-one-socket", m and m.group(2) == "1" and r.get("ok") and r.get("socket") == path,
              "%s listening thread(s), ping on %s" % (m.group(2) if m else "?", path.replace(WORK, "$WORK")),
              out + json.dumps(r))
        f = os.path.join(WORK, "twice.ckpt")
        saved = g.console_cmd("ckpt save " + f)
        restarted = g.console_cmd("ckpt restart " + f, timeout=120)
        bt = g.console_cmd("bt 1")
        check(tag + "/source-twice-save-restart", len(SAVED_RE.findall(saved)) == 1 and "Restarted" in restarted and
              "step_here" in bt, "one Saved line, restarted at step_here", saved + restarted + bt)
        # A save in flight belongs to the loaded copy: sourcing again is refused, nothing changes.
        g.console_cmd("python import _ckpt_gdb.save; _probe_save = sys.modules['_ckpt_gdb.save']; "
                      "_probe_save.BackgroundSave.current = type('InFlight', (), {'path': 'inflight.ckpt'})()")
        n = len(g.log)
        load_ext(g)
        refused = "\n".join(g.log[n:])
        out = g.console_cmd("python print('SAME', sys.modules['_ckpt_gdb.save'] is _probe_save)")
        g.console_cmd("python _probe_save.BackgroundSave.current = None")
        r = c.req({"op": "ping"})
        check(tag + "/reload-refused-while-writing", "not loaded again: a save is still being written" in refused and
              "SAME True" in out and r.get("ok"), "refused; the loaded copy still answers", refused + out)
        c.close()
        g.console_cmd("kill")
    finally:
        g.close()

    # Other modules named ckpt_gdb and _ckpt_gdb, first on sys.path and already imported.
    foreign = os.path.join(WORK, "foreign")
    for pkg in ("ckpt_gdb", PACKAGE):
        os.makedirs(os.path.join(foreign, pkg))
        with open(os.path.join(foreign, pkg, "__init__.py"), "w") as f:
            f.write("FOREIGN = True\n")
        with open(os.path.join(foreign, pkg, "lifecycle.py"), "w") as f:
            f.write("raise RuntimeError('the other %s was imported')\n" % pkg)
    probe = ("python import sys; print('PACKAGE ' + sys.modules['_ckpt_gdb'].__file__); "
             "print('OTHER ' + sys.modules['ckpt_gdb'].__file__)")
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "python import sys; sys.path.insert(0, %r)" % foreign,
                        "-iex", "python import ckpt_gdb, _ckpt_gdb", "-iex", "source " + EXT, "-ex", probe,
                        "-ex", "ckpt status"], capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"),
                       timeout=60, cwd=WORK)
    out = r.stdout + r.stderr
    own = os.path.join(os.path.dirname(EXT), PACKAGE, "__init__.py")
    pm = re.search(r"^PACKAGE (.*)$", out, re.M)
    om = re.search(r"^OTHER (.*)$", out, re.M)
    check(tag + "/own-package-despite-others", pm and same_file(pm.group(1), own) and om and
          om.group(1).startswith(foreign) and engine_found(out) and "was imported" not in out and "Traceback" not in out,
          "%s; ckpt_gdb still %s" % ((pm.group(1) if pm else "?").replace(BUILD, "$BUILD"),
                                    (om.group(1) if om else "?").replace(WORK, "$WORK")), out)

    # Sourced from a Python script (a gdb init file in Python): gdb keeps __file__ at the
    # script's name then.
    outer = os.path.join(WORK, "outer-init.py")
    with open(outer, "w") as f:
        f.write("import gdb\ngdb.execute('source ' + %r)\n" % EXT)
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-x", outer, "-ex", "ckpt status"], capture_output=True,
                       text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=60, cwd=WORK)
    out = r.stdout + r.stderr
    check(tag + "/sourced-by-a-python-script", engine_found(out) and "Traceback" not in out,
          "engine found next to the loader", out)

    # Through a symlink to the loader, elsewhere.
    link = os.path.join(WORK, "linked", "ckpt-gdb.py")
    os.makedirs(os.path.dirname(link))
    os.symlink(EXT, link)
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + link, "-ex", "ckpt status"],
                       capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=60, cwd=WORK)
    out = r.stdout + r.stderr
    check(tag + "/through-a-symlink", engine_found(out) and "Traceback" not in out,
          "package and engine found next to the real loader", out)

    # The source tree's loader, as README's `source native/gdb/...` would be.
    source_loader = os.path.normpath(os.path.join(HERE, "..", "..", "gdb", "ckpt-gdb.py"))
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + source_loader, "-ex", probe.split(";")[0] +
                        "; print('PACKAGE ' + sys.modules['_ckpt_gdb'].__file__)", "-ex", "ckpt status"],
                       capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=60, cwd=WORK)
    out = r.stdout + r.stderr
    pm = re.search(r"^PACKAGE (.*)$", out, re.M)
    check(tag + "/source-tree-loader", pm and same_file(pm.group(1), os.path.join(os.path.dirname(source_loader),
                                                                                  PACKAGE, "__init__.py")) and
          "ckpt gdb extension" in out and "Traceback" not in out, "package from native/gdb", out)

    # The loader alone, without its package.
    bare = os.path.join(WORK, "bare", "share", "ckpt")
    os.makedirs(bare)
    shutil.copy(EXT, bare)
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + os.path.join(bare, os.path.basename(EXT))],
                       capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=60, cwd=WORK)
    out = (r.stdout + r.stderr).strip()
    check(tag + "/package-missing", out.count("\n") == 0 and "ckpt: the extension's package is missing" in out,
          out.replace(WORK, "$WORK"), out)

    caches = [os.path.join(top, d) for tree in (os.path.dirname(EXT), os.path.dirname(source_loader))
              for top, dirs, _ in os.walk(tree) for d in dirs if d == "__pycache__"]
    check(tag + "/no-bytecode", not caches, "no __pycache__ in the installed or the source tree", "\n".join(caches))


class Client:
    def __init__(self, path, timeout=60):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)
        self.f = self.s.makefile("rwb")

    def raw(self, data):
        self.f.write(data)
        self.f.flush()
        line = self.f.readline()
        return json.loads(line) if line else None

    def req(self, obj):
        return self.raw(json.dumps(obj).encode() + b"\n")

    def close(self):
        self.f.close()
        self.s.close()


def test_socket():
    tag = "socket"
    g = start_mi()
    path = socket_path(g.proc.pid)
    try:
        load_ext(g)
        st = os.stat(path)
        dst = os.stat(os.path.dirname(path))
        check(tag + "/modes", stat.S_ISSOCK(st.st_mode) and stat.S_IMODE(st.st_mode) == 0o600 and
              stat.S_IMODE(dst.st_mode) == 0o700, "%s socket %o, dir %o" % (
                  path.replace(WORK, "$WORK"), stat.S_IMODE(st.st_mode), stat.S_IMODE(dst.st_mode)))
        c = Client(path)
        r = c.req({"op": "ping", "id": 7})
        check(tag + "/ping", r.get("ok") and r.get("gdb_pid") == g.proc.pid and r.get("id") == 7 and
              "save" in r.get("ops", []), json.dumps(r)[:160])
        r = c.req({"op": "inferiors"})
        check(tag + "/inferiors-empty", r.get("ok") and r["inferiors"][0]["state"] == "no-process", json.dumps(r))
        # Garbage, then the connection still works.
        r = c.raw(b"this is not json\n")
        check(tag + "/garbage", r and r.get("ok") is False and "not JSON" in r.get("error", ""), json.dumps(r))
        r = c.raw(b"[1,2,3]\n")
        check(tag + "/not-an-object", r and r.get("ok") is False, json.dumps(r))
        r = c.req({"op": "frobnicate"})
        check(tag + "/unknown-op", r.get("ok") is False and "unknown op" in r.get("error", ""), json.dumps(r))
        r = c.raw(b"\xff\xfe\x00garbage\n")
        check(tag + "/binary-garbage", r and r.get("ok") is False, json.dumps(r))
        r = c.req({"op": "save", "path": os.path.join(WORK, "nothing.ckpt")})
        check(tag + "/save-without-program", r.get("ok") is False and "not being run" in r.get("error", ""),
              json.dumps(r))
        r = c.req({"op": "ping"})
        check(tag + "/alive-after-garbage", r.get("ok") is True, "")

        # Save while stopped at a breakpoint.
        run_to_break(g, "prog3")
        f1 = os.path.join(WORK, "sock-stopped.ckpt")
        r = c.req({"op": "save", "path": f1})
        check(tag + "/save-stopped", r.get("ok") and r.get("path") == f1 and r.get("threads") == 3 and
              r.get("bytes", 0) > 0 and r.get("ms", -1) >= 0 and os.path.exists(f1),
              "threads %s, %s bytes, %s ms" % (r.get("threads"), r.get("bytes"), r.get("ms")), json.dumps(r))
        # A second save of the same program in this session is incremental against the first.
        f1b = os.path.join(WORK, "sock-stopped-2.ckpt")
        r = c.req({"op": "save", "path": f1b})
        check(tag + "/save-again-is-incremental", r.get("ok") and r.get("parent") == f1,
              "parent %s, %s of %s bytes shared" % (r.get("parent"), r.get("parent_bytes"), r.get("bytes")), json.dumps(r))
        r = c.req({"op": "inferiors"})
        inf = r["inferiors"][0]
        check(tag + "/inferiors-stopped", inf["state"] == "stopped" and inf["executable"] == EXES["prog3"] and
              inf["threads"] == 3, json.dumps(inf))
        r = c.req({"op": "info", "path": f1})
        check(tag + "/info-statefile", r.get("ok") and r["info"]["threads"] == 3, "")
        r = c.req({"op": "list", "dir": WORK})
        check(tag + "/list", r.get("ok") and any(s["path"] == f1 for s in r["statefiles"]), "")

        # Restart through the socket: the current program is killed without asking.
        r = c.req({"op": "restart", "path": f1})
        check(tag + "/restart", r.get("ok") and r.get("threads") == 3, json.dumps(r))
        bt = g.console_cmd("bt 1")
        r2 = c.req({"op": "inferiors"})
        check(tag + "/restart-attached", r2["inferiors"][0]["pid"] == r.get("pid") and
              r2["inferiors"][0]["state"] == "stopped" and "step_here" in bt, json.dumps(r2["inferiors"][0]), bt)
        g.console_cmd("kill")

        # Save while running: interrupt, capture, continue.
        g.mi("-file-exec-and-symbols " + EXES["spin"])
        g.mi("-exec-arguments 60")
        g.mi("-break-delete")
        n_log = len(g.log)
        g.mi("-exec-run")
        g.wait_for(lambda: any("SPIN READY" in l for l in g.log[n_log:]), 60, "spin to start its threads")
        r = c.req({"op": "inferiors"})
        was = r["inferiors"][0]["state"]
        f2 = os.path.join(WORK, "sock-running.ckpt")
        t0 = time.time()
        r = c.req({"op": "save", "path": f2})
        ms = (time.time() - t0) * 1000
        g.pump(0.5)
        r2 = c.req({"op": "inferiors"})
        check(tag + "/save-running", was == "running" and r.get("ok") and r.get("threads") == 2 and
              r.get("resumed") is True and r2["inferiors"][0]["state"] == "running",
              "was %s, saved %s threads in %s ms (round trip %.0f ms), %s afterwards" % (
                  was, r.get("threads"), r.get("ms"), ms, r2["inferiors"][0]["state"]), json.dumps(r))
        # Several clients at once: each gets its own answer.
        cs = [Client(path) for _ in range(3)]
        for i, cc in enumerate(cs):
            cc.f.write(json.dumps({"op": "save", "path": os.path.join(WORK, "multi-%d.ckpt" % i), "id": i}).encode()
                       + b"\n")
            cc.f.flush()
        answers = [json.loads(cc.f.readline()) for cc in cs]
        for cc in cs:
            cc.close()
        check(tag + "/concurrent-saves", all(a.get("ok") and a.get("id") == i for i, a in enumerate(answers)),
              "3 clients", json.dumps(answers))
        # A restart while running.
        r = c.req({"op": "restart", "path": f2})
        r2 = c.req({"op": "inferiors"})
        check(tag + "/restart-while-running", r.get("ok") and r2["inferiors"][0]["pid"] == r.get("pid") and
              r2["inferiors"][0]["state"] == "stopped", json.dumps(r2["inferiors"][0]), json.dumps(r))
        g.console_cmd("kill")
        c.close()
    finally:
        g.close()
    time.sleep(0.2)
    check(tag + "/removed-on-exit", not os.path.exists(path), path.replace(WORK, "$WORK"))


def test_background():
    """Saves that give gdb back during the write (ckpt save -b, and the socket's default)."""
    tag = "background"
    g = start_mi()
    path = socket_path(g.proc.pid)
    try:
        load_ext(g)
        # The CLI at a breakpoint: one line now, the Saved line when the file is complete.
        run_to_break(g, "prog3")
        f1 = os.path.join(WORK, "bg-cli.ckpt")
        out = g.console_cmd("ckpt save -b " + f1)
        g.wait_for(lambda: any(SAVED_RE.search(c) for c in g.console), 30, "the Saved line")
        line = [c for c in g.console if SAVED_RE.search(c)][0]
        check(tag + "/cli", "may go on" in out and SAVED_RE.search(line).group(1) == f1, "%s / %s" % (
            out.strip(), line.strip()), out)
        bt = g.console_cmd("bt")
        pid, p = restart_stopped(f1)
        r = subprocess.run([GDB, "-nx", "-q", "-batch", "-p", str(pid), "-ex", "bt"], capture_output=True,
                           text=True, env=ENV, timeout=60)
        os.kill(pid, signal.SIGKILL)
        p.stdout.close()
        p.wait()
        check(tag + "/cli-statefile", normalise("bt", bt) in r.stdout, "same bt after restart", bt + r.stdout)
        g.console_cmd("kill")

        # The socket, while the user resumes the program during the write: 256 MiB to write.
        g.mi("-file-exec-and-symbols " + EXES["spin"])
        g.mi("-exec-arguments 60 256")
        g.mi("-break-delete")
        n_log = len(g.log)
        g.mi("-exec-run")
        g.wait_for(lambda: any("SPIN READY" in l for l in g.log[n_log:]), 60, "spin to touch its memory")
        n = len(g.async_records)
        g.mi("-exec-interrupt")
        g.wait_stopped(30, since=n)
        g.pump(0.2)
        inf_pid = int(g.console_cmd("python print(gdb.selected_inferior().pid)").strip())
        c = Client(path)
        f2 = os.path.join(WORK, "bg-sock.ckpt")
        t0 = time.time()
        c.f.write(json.dumps({"op": "save", "path": f2}).encode() + b"\n")
        c.f.flush()
        # Once the statefile's temporary file exists, the save has begun with the program
        # stopped; gdb answers MI while the file is written, and the program may run.
        deadline = time.time() + 10
        while not glob.glob(os.path.join(WORK, ".bg-sock.ckpt.*.tmp")) and time.time() < deadline:
            time.sleep(0.002)
        n = len(g.async_records)
        g.mi("-exec-continue", timeout=30)
        t_cont = time.time() - t0
        r = json.loads(c.f.readline())
        t_reply = time.time() - t0
        g.pump(0.3)
        kids = children_of(inf_pid)
        state = c.req({"op": "inferiors"})["inferiors"][0]["state"]
        check(tag + "/socket-while-resumed", r.get("ok") and r.get("bytes", 0) >= 256 << 20 and
              r.get("resumed") is False and
              r.get("background") is True and state == "running" and not kids,
              "continue accepted after %.0f ms, reply after %.0f ms: %.1f MiB, paused %.1f ms, written in %.0f ms; "
              "%s afterwards, %d clones left" % (t_cont * 1000, t_reply * 1000, r.get("bytes", 0) / 1048576.0,
                                                 r.get("freeze_ms", -1), r.get("ms", -1), state, len(kids)),
              json.dumps(r))
        info = subprocess.run([CKPT, "info", f2, "--json"], capture_output=True, text=True)
        check(tag + "/socket-statefile", info.returncode == 0 and json.loads(info.stdout)["threads"] == 2,
              "ckpt info reads it", info.stdout + info.stderr)
        # Synchronous on request.
        r = c.req({"op": "save", "path": os.path.join(WORK, "bg-sync.ckpt"), "background": False})
        check(tag + "/socket-sync", r.get("ok") and r.get("background") is False and r.get("resumed") is True,
              "%s ms" % r.get("ms"), json.dumps(r))
        c.close()
        g.pump(0.3)  # records of the save's own interrupt and resume, before ours
        n = len(g.async_records)
        g.mi("-exec-interrupt")
        g.wait_stopped(30, since=n)
        bt = g.console_cmd("bt 1")
        check(tag + "/session-fine", "#0" in bt, bt.strip().splitlines()[0] if bt.strip() else "", bt)
        g.console_cmd("kill")
    finally:
        g.close()


def ensure_user():
    try:
        return pwd.getpwnam(OTHER_USER)
    except KeyError:
        pass
    r = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OTHER_USER],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("cannot create user %s: %s" % (OTHER_USER, r.stderr.strip()))
    return pwd.getpwnam(OTHER_USER)


def as_user(pw):
    return ["setpriv", "--reuid=%d" % pw.pw_uid, "--regid=%d" % pw.pw_gid, "--clear-groups", "--"]


def test_refused_peer():
    tag = "socket-peer"
    try:
        pw = ensure_user()
    except (RuntimeError, OSError) as e:
        report(False, tag + "/other-user", str(e))
        return
    # 1. gdb runs as us; the other user cannot even reach the socket (directory 0700).
    g = start_mi()
    path = socket_path(g.proc.pid)
    try:
        load_ext(g)
        code = ("import socket,sys\ns=socket.socket(socket.AF_UNIX)\ntry:\n s.connect(sys.argv[1])\n"
                " s.sendall(b'{\"op\":\"ping\"}\\n'); print('ANSWER', s.recv(4096))\n"
                "except OSError as e: print('REFUSED', e)\n")
        r = subprocess.run(as_user(pw) + [sys.executable, "-c", code, path], capture_output=True, text=True,
                           timeout=30)
        check(tag + "/other-uid-cannot-connect", "REFUSED" in r.stdout and "ANSWER" not in r.stdout,
              r.stdout.strip(), r.stdout + r.stderr)
    finally:
        g.close()
    # 2. gdb runs as the other user (no XDG_RUNTIME_DIR: the /tmp fallback); we, another uid
    #    that can reach any directory, are refused by the SO_PEERCRED check.
    share = os.path.join(WORK, "inst")
    ext = install_extension(os.path.join(share, "share", "ckpt"))
    os.makedirs(os.path.join(share, "lib"))
    shutil.copy(LIB, os.path.join(share, "lib"))
    for root, dirs, files in os.walk(share):
        for d in dirs:
            os.chmod(os.path.join(root, d), 0o755)
    env = dict(ENV)
    env.pop("XDG_RUNTIME_DIR", None)
    env["HOME"] = "/"
    p = subprocess.Popen(as_user(pw) + [GDB, "-nx", "-q", "-iex", "source " + ext],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, cwd="/")
    upath = os.path.join("/tmp", "ckpt-%d" % pw.pw_uid, "gdb-%d.sock" % p.pid)
    try:
        deadline = time.time() + 30
        while not os.path.exists(upath) and time.time() < deadline:
            time.sleep(0.05)
        dmode = stat.S_IMODE(os.stat(os.path.dirname(upath)).st_mode) if os.path.exists(upath) else None
        c = Client(upath, timeout=10)
        r = c.raw(b'{"op":"ping"}\n')
        again = c.f.readline()
        c.close()
        check(tag + "/peercred-refused", r and r.get("ok") is False and "permission denied" in r.get("error", "")
              and again == b"", "fallback dir %s (mode %o): %s" % (os.path.dirname(upath), dmode or 0,
                                                                 r.get("error") if r else None))
    except OSError as e:
        report(False, tag + "/peercred-refused", "%s: %s" % (upath, e))
    finally:
        p.stdin.close()
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        p.stdout.close()


class PtyGdb:
    """gdb on a terminal, as a person uses it: queries are asked, the program's output shows."""

    def __init__(self, args):
        import pty
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            env = dict(ENV)
            env["TERM"] = "dumb"
            os.execvpe(GDB, [GDB, "-nx", "-q", "-iex", "set style enabled off"] + args, env)
        self.out = ""

    def read_until(self, pattern, timeout=30, start=0):
        import select
        deadline = time.time() + timeout
        rx = re.compile(pattern, re.M)
        while not rx.search(self.out, start):
            left = deadline - time.time()
            if left <= 0:
                raise MIError("timed out waiting for %r; got:\n%s" % (pattern, self.out[-2000:]))
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                try:
                    self.out += os.read(self.fd, 65536).decode("utf-8", "replace").replace("\r\n", "\n")
                except OSError:
                    raise MIError("gdb went away; got:\n" + self.out[-2000:])
        return self.out

    def cmd(self, line, until=r"^\(gdb\) \Z", timeout=60):
        start = len(self.out)
        os.write(self.fd, (line + "\n").encode())
        self.read_until(until, timeout, start)
        return self.out[start:]

    def close(self):
        try:
            os.write(self.fd, b"kill\ny\nquit\ny\n")
        except OSError:
            pass
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.waitpid(self.pid, os.WNOHANG)[0]:
                break
            try:
                os.read(self.fd, 65536)
            except OSError:
                pass
            time.sleep(0.05)
        else:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


def test_interactive():
    """At a terminal: `ckpt restart` asks before it kills the program, as `kill` does; the
    restarted program writes to gdb's terminal, as one started with `run` does."""
    tag = "interactive"
    f = os.path.join(WORK, "tty.ckpt")
    expected = plain_result(EXES["prog1"])
    g = PtyGdb(["-iex", "source " + EXT, "-ex", "set pagination off", EXES["prog1"]])
    try:
        g.read_until(r"^\(gdb\) \Z")
        g.cmd("break prog1.c:%d if round == 3" % break_line("prog1.c"))
        g.cmd("run")
        # At a terminal the prompt is back after the pause; the "Saved" line comes when the file
        # is complete.
        out = g.cmd("ckpt save " + f)
        check(tag + "/save-prompt-after-the-pause", "writing %s in the background" % f in out, out.strip(), out)
        # It is printed when it comes, right after a fresh prompt.
        later = re.compile(r"Saved (\S+): (\d+) threads, (\d+\.\d) MiB in (\d+) ms$", re.M)
        if not later.search(out):
            g.read_until(later.pattern)
            out = g.out
        m = later.search(out)
        check(tag + "/save", m, m.group(0) if m else "", out)
        pid_before = g.cmd("info inferiors")
        out = g.cmd("ckpt restart " + f, until=r"\(y or n\) \Z")
        out += g.cmd("n")
        pid_after = g.cmd("info inferiors")
        check(tag + "/asks-and-no-keeps-it", "Kill the program being debugged?" in out and "Not confirmed" in out and
              "Traceback" not in out and pid_before.splitlines()[-2:] == pid_after.splitlines()[-2:],
              "answered n: %s" % out.strip().splitlines()[-2] if out.strip() else "", out)
        out = g.cmd("ckpt restart " + f, until=r"\(y or n\) \Z")
        out += g.cmd("y")
        check(tag + "/asks-and-yes-restarts", re.search(r"^Restarted ", out, re.M), "answered y", out)
        out = g.cmd("delete", until=r"\(y or n\) \Z")
        g.cmd("y")
        out = g.cmd("continue")
        check(tag + "/program-writes-to-gdb-terminal", ("RESULT %s" % expected) in out and "exited normally" in out,
              "RESULT %s on the terminal" % expected, out)
    finally:
        g.close()


def test_inferior_tty():
    """With an inferior tty (CDT's console for the program), the restarted program's stdio is
    that tty, not gdb's MI channel."""
    tag = "inferior-tty"
    import pty
    master, slave = pty.openpty()
    tty = os.ttyname(slave)
    f = os.path.join(WORK, "itty.ckpt")
    expected = plain_result(EXES["prog1"])
    g = start_mi()
    try:
        load_ext(g)
        g.mi("-inferior-tty-set " + tty)
        run_to_break(g, "prog1")
        g.console_cmd("ckpt save " + f)
        g.console_cmd("ckpt restart " + f, timeout=120)
        g.mi("-break-delete")
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("*stopped" in r for r in g.async_records[n:]), 60, "exit")
        got = b""
        deadline = time.time() + 5
        import select
        while b"RESULT" not in got and time.time() < deadline:
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                got += os.read(master, 4096)
        check(tag + "/output-on-tty", ("RESULT %s" % expected).encode() in got and
              not saw_output(g, "RESULT"), "RESULT %s on %s" % (expected, tty),
              repr(got) + "\n".join(g.target_output))
    finally:
        g.close()
        os.close(master)
        os.close(slave)


def fd_list(pid):
    out = []
    for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
        try:
            out.append("%s -> %s" % (fd, os.readlink("/proc/%d/fd/%s" % (pid, fd))))
        except OSError:
            pass
    return out


def fd_count(pid):
    return len(fd_list(pid))


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def children_of(pid):
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    s = f.read()
                if int(s[s.rindex(")") + 2:].split()[1]) == pid:
                    out.append(int(d))
            except (OSError, ValueError):
                pass
    return out


def test_soak(cycles=50):
    tag = "soak"
    g = start_mi()
    f = os.path.join(WORK, "soak.ckpt")
    try:
        load_ext(g)
        c = Client(socket_path(g.proc.pid))
        run_to_break(g, "prog3")
        gpid = g.proc.pid
        samples = []
        fds = []
        bad = []
        t0 = time.time()
        for i in range(1, cycles + 1):
            out = g.console_cmd("ckpt save " + f)
            if not SAVED_RE.search(out):
                bad.append("cycle %d save: %s" % (i, out))
                break
            out = g.console_cmd("ckpt restart " + f, timeout=120)
            if "Restarted" not in out:
                bad.append("cycle %d restart: %s" % (i, out))
                break
            if i % 10 == 0:  # the socket too
                r = c.req({"op": "save", "path": f})
                if not r.get("ok"):
                    bad.append("cycle %d socket save: %s" % (i, r))
                    break
            if i in (10, cycles):  # from 10 on: gdb has opened the debug files it caches
                g.target_output.clear()
                g.console.clear()
                del g.log[:]
                samples.append((i, fd_count(gpid), rss_kib(gpid)))
                fds.append(fd_list(gpid))
        elapsed = time.time() - t0
        bt = g.console_cmd("bt 1")
        c.close()
        check(tag + "/cycles", not bad and "step_here" in bt, "%d save/restart cycles in %.1f s" % (cycles, elapsed),
              "\n".join(bad))
        if len(samples) == 2:
            (i1, fd1, rss1), (i2, fd2, rss2) = samples
            print("soak: gdb after cycle %d: %d fds, RSS %d KiB; after cycle %d: %d fds, RSS %d KiB; growth %+d fds, "
                  "%+d KiB" % (i1, fd1, rss1, i2, fd2, rss2, fd2 - fd1, rss2 - rss1), flush=True)
            check(tag + "/no-fd-growth", fd2 == fd1, "%d -> %d fds" % (fd1, fd2), diff("\n".join(fds[0]),
                                                                                      "\n".join(fds[1])))
            check(tag + "/small-rss-growth", rss2 - rss1 < 16 * 1024, "%+d KiB over %d cycles" % (rss2 - rss1,
                                                                                            i2 - i1))
        kids = children_of(gpid)
        zombies = []
        for k in kids:
            try:
                with open("/proc/%d/stat" % k) as fh:
                    s = fh.read()
                if s[s.rindex(")") + 2] == "Z":
                    zombies.append(k)
            except OSError:
                pass
        check(tag + "/no-zombie-children", not zombies, "%d children of gdb, %d zombies" % (len(kids), len(zombies)))
    finally:
        g.close()


def xfs_mount():
    """A small XFS with reflinks, where saves share unchanged pages with their parent; None
    when this machine cannot make one (not root, no xfsprogs)."""
    if os.geteuid() != 0 or not shutil.which("mkfs.xfs"):
        return None
    img, mnt = os.path.join(WORK, "xfs.img"), os.path.join(WORK, "xfs")
    with open(img, "wb") as f:
        f.truncate(1 << 30)
    os.mkdir(mnt)
    if subprocess.run(["mkfs.xfs", "-q", "-m", "reflink=1", img], capture_output=True).returncode != 0 or \
            subprocess.run(["mount", "-o", "loop", img, mnt], capture_output=True).returncode != 0:
        return None
    return mnt


def saves_at_snap(name, files, env=None):
    """One batch gdb session of program name: a save into each of files at each stop in its
    function snap, waiting for each file, then kill.  gdb's output, with CKPT_DEBUG's lines."""
    script = os.path.join(WORK, name + ".gdb")
    with open(script, "w") as f:
        f.write("break snap\nrun\n")
        for k, path in enumerate(files):
            f.write("ckpt save -w %s\n%s" % (path, "continue\n" if k < len(files) - 1 else "kill\n"))
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-x", script, EXES[name]],
                       capture_output=True, text=True, timeout=300, env=dict(ENV, CKPT_DEBUG="1", **(env or {})),
                       cwd=WORK)
    return r.stdout + r.stderr


def tracked_session(tag, d, expected):
    """Four saves in one gdb session into directory d, each restarted; the incremental ones
    (2 and 4) make no copy-on-write clone, and the last file restarts with its parents gone.
    Returns gdb's output and the files."""
    files = [os.path.join(d, "track%d.ckpt" % k) for k in range(1, 5)]
    out = saves_at_snap("scribble", files)
    check(tag + "/saves", len(SAVED_RE.findall(out)) == 4, "%d saves" % len(SAVED_RE.findall(out)), out[-3000:])
    for k, path in enumerate(files, 1):
        rr = subprocess.run([CKPT, "restart", path], capture_output=True, text=True, timeout=120)
        got = re.search(r"RESULT (-?\d+)", rr.stdout)
        check("%s/restart-save-%d" % (tag, k), got and got.group(1) == expected,
              "RESULT %s (undisturbed %s)" % (got.group(1) if got else None, expected), rr.stdout + rr.stderr)
    # The incremental saves read only the written pages in the freeze and make no clone;
    # saves 1 and 3 have the 64 MiB area to read whole (new since the save before), and make one.
    held = re.findall(r"no clone, (\d+) bytes held", out)
    check(tag + "/no-clone-when-little-was-written", len(held) == 2 and all(int(b) < 4 << 20 for b in held),
          "%d saves without a clone (%s bytes held)" % (len(held), ", ".join(held)), out[-3000:])
    return out, files


def test_tracked_saves():
    """Saves in one session read only the pages written since the previous save (write
    tracking), and every statefile still restarts to the undisturbed result, on the machine's
    own file system (unchanged pages copied) and on one that shares extents."""
    expected = plain_result(EXES["scribble"])
    files = tracked_session("tracked-copied", WORK, expected)[1]
    # Every file is complete on its own: the last one restarts with its parents gone.
    for path in files[:-1]:
        os.unlink(path)
    got, text = restart_result(files[-1])
    check("tracked-copied/restart-without-parents", got == expected, "RESULT %s (undisturbed %s)" % (got, expected),
          text)
    tag = "tracked"
    mnt = xfs_mount()
    try:
        if not check(tag + "/xfs-with-reflinks", mnt, "a loop-mounted XFS for the saves",
                     "cannot make an XFS with reflinks here (needs root, xfsprogs and a loop device)"):
            return
        out, files = tracked_session(tag, mnt, expected)
        # The 64 MiB area keeps its mapping from save 1 to 2 and from save 3 to 4; about 1% of
        # it is written in between.
        seen = [(int(a), int(b)) for a, b in re.findall(r"(\d+) of (\d+) tracked bytes written", out)]
        incremental = [seen[i] for i in (1, 3)] if len(seen) == 4 else []
        check(tag + "/reads-only-written", incremental and all(t >= 64 << 20 and w < t // 20 for w, t in incremental),
              ", ".join("%d KiB of %d MiB" % (w >> 10, t >> 20) for w, t in incremental), out[-3000:])
        infos = [json.loads(subprocess.run([CKPT, "info", "--json", p], capture_output=True, text=True).stdout)
                 for p in files]
        alloc = [os.stat(p).st_blocks * 512 for p in files]
        check(tag + "/stored-bytes-exact", all(abs(a - i["stored_bytes"]) < (1 << 20) for a, i in zip(alloc, infos)),
              ", ".join("%d/%d KiB" % (i["stored_bytes"] >> 10, a >> 10) for a, i in zip(alloc, infos)))
        for path in files[:-1]:
            os.unlink(path)
        got, text = restart_result(files[-1])
        check(tag + "/restart-without-parents", got == expected, "RESULT %s (undisturbed %s)" % (got, expected), text)
    finally:
        if mnt:
            subprocess.run(["umount", mnt], capture_output=True)



def test_advice_in_place():
    """Saves in one session take the layout's flags from the one the save before kept when
    the layout is unchanged; advice changed in place in between (madvise of a whole mapping,
    mlock) still reaches the statefile: each save restarts to a program that has the advice it
    had then, as its own /proc/self/smaps shows."""
    tag = "advice-in-place"
    plain = subprocess.run([EXES["advice"]], capture_output=True, text=True, timeout=60).stdout.splitlines()
    files = [os.path.join(WORK, "advice%d.ckpt" % k) for k in range(1, 5)]
    out = saves_at_snap("advice", files, {"CKPT_NO_SOCKET": "1"})
    check(tag + "/saves", len(SAVED_RE.findall(out)) == 4 and len(plain) == 6, "%d saves" % len(SAVED_RE.findall(out)),
          out[-3000:])
    # The madvise of round 2 changed no layout and no locked total: only the check after the
    # freeze can see it.  The mlock of round 3 changes the locked total, seen in the freeze.
    fixed = [int(a, 16) ^ int(b, 16) for a, b in re.findall(r"flags (0x[0-9a-f]+|0), not (0x[0-9a-f]+|0) as kept", out)]
    check(tag + "/advice-put-right-after-the-freeze", fixed == [0x2000],  # CKPT_VMA_DONTDUMP
          "the second save puts the kept layout's advice right", out[-3000:])
    for k, path in enumerate(files, 1):
        rr = subprocess.run([CKPT, "restart", path], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
        check("%s/restart-save-%d" % (tag, k), rr.stdout.splitlines() == plain[k:],
              "from round %d on as the program printed it" % k, rr.stdout + rr.stderr)


# --------------------------------------------------------------------------------------------
# Time travel: snappoints, the timeline, back and forward, labels, diff
# --------------------------------------------------------------------------------------------

SNAPPOINT_RE = re.compile(r"^Snappoint (\d+), hit (\d+): Saved (\S+): (\d+) threads", re.M)
TRAVEL_LINE = None  # travel.c's BREAK-HERE line, once the programs are built


def console_since(g, n):
    return "".join(g.console[n:])


def restart_result(path):
    """RESULT of running a statefile to its end outside gdb (ckpt restart in the foreground)."""
    r = subprocess.run([CKPT, "restart", path], capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
    m = re.search(r"RESULT (-?\d+)", r.stdout)
    return (m.group(1) if m else None), r.stdout + r.stderr


def timeline_rows(text):
    """{number: (marker, branch, after, origin, file, label)} from `ckpt timeline`."""
    rows = {}
    for line in text.splitlines():
        m = re.match(r"^(=>|->|  )\s*(\d+)\s+(\d+)\s+(#\d+|-)\s+(\S+)\s+.*?\s(\S+\.ckpt)(?: \(saved over by #\d+\))?\s*(.*)$",
                     line)
        if m:
            rows[int(m.group(2))] = (m.group(1).strip(), int(m.group(3)), m.group(4), m.group(5), m.group(6),
                                     m.group(7))
    return rows


def test_snappoints(non_stop):
    """Snappoints hit 5 times in a loop give 5 statefiles, and the program, which never stops,
    finishes with its undisturbed result while a second thread runs meanwhile; each statefile
    restarts to that result.  Then the timeline, back twice, continue (a new branch), back and
    forward, all in the same gdb."""
    tag = "snappoint-" + ("non-stop" if non_stop else "all-stop")
    expected = plain_result(EXES["travel"])
    d = os.path.join(WORK, tag)
    os.makedirs(d)
    g = start_mi({"CKPT_DIR": d})
    try:
        load_ext(g)
        if non_stop:
            g.mi("-gdb-set non-stop on")
        g.mi("-file-exec-and-symbols " + EXES["travel"])
        out = g.console_cmd("ckpt snappoint travel.c:%d if step >= 1" % TRAVEL_LINE)
        check(tag + "/created", re.search(r"^Snappoint 1 at travel.c:%d if step >= 1" % TRAVEL_LINE, out, re.M),
              out.strip(), out)
        n_rec, n_con = len(g.async_records), len(g.console)
        g.mi("-exec-run")
        g.wait_for(lambda: any(r.startswith("*stopped") for r in g.async_records[n_rec:]), 120, "a stop")
        g.pump(0.3)
        text = console_since(g, n_con)
        hits = SNAPPOINT_RE.findall(text)
        files = [h[2] for h in hits]
        stops = [r for r in g.async_records[n_rec:] if r.startswith("*stopped")]
        check(tag + "/five-statefiles", [int(h[1]) for h in hits] == [1, 2, 3, 4, 5] and
              all(os.path.isfile(f) and os.path.dirname(f) == d for f in files) and all(h[3] == "2" for h in hits),
              "5 hits, 5 statefiles of 2 threads", text[-2000:])
        check(tag + "/never-stopped", len(stops) == 1 and 'reason="exited-normally"' in stops[0] and
              "SIGSTOP" not in "\n".join(g.log), "the only *stopped is the exit", "\n".join(stops))
        check(tag + "/undisturbed-result", saw_output(g, "RESULT %s" % expected), "RESULT %s" % expected,
              "\n".join(g.target_output[-5:]))
        lst = g.console_cmd("ckpt snappoint list")
        check(tag + "/list", re.search(r"^1\s+travel.c:%d\s+step >= 1\s+5\s+%s$" % (TRAVEL_LINE, re.escape(files[-1])),
                                       lst, re.M) if files else False, lst.strip().splitlines()[-1], lst)
        for k, f in enumerate(files, 1):
            got, whole = restart_result(f)
            check("%s/restart-hit-%d" % (tag, k), got == expected, "RESULT %s" % got, whole)
        infos = [json.loads(subprocess.run([CKPT, "info", "--json", f], capture_output=True, text=True).stdout)
                 for f in files]
        anns = [i["annotation"] for i in infos]
        check(tag + "/annotations", all(a["origin"] == "snappoint" and a["sequence"] == k for k, a in enumerate(anns, 1))
              and [a["parent"] for a in anns] == [None] + [os.path.basename(f) for f in files[:-1]] and
              len({a["session"] for a in anns}) == 1,
              "origin snappoint, sequence 1-5, each after the one before, one session", json.dumps(anns))
        if non_stop:
            return
        # The timeline, then back twice: #4 (step 4).  Continuing from there saves once more
        # (step 5): a new branch after #4, and the same result.
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        check("timeline/after-run", sorted(rows) == [1, 2, 3, 4, 5] and rows[5][0] == "->" and
              all(rows[k][1] == 1 and rows[k][3] == "snappoint" for k in rows) and
              [rows[k][2] for k in sorted(rows)] == ["-", "#1", "#2", "#3", "#4"],
              "5 snapshots on one branch, the program ran on from #5", json.dumps(rows))
        b1 = g.console_cmd("ckpt back", timeout=120)
        b2 = g.console_cmd("ckpt back", timeout=120)
        frame = g.console_cmd("frame")
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        check("timeline/back-twice", re.search(r"^Back to #5 ", b1, re.M) and re.search(r"^Back to #4 ", b2, re.M) and
              "step=4" in frame and rows.get(4, ("",))[0] == "=>", "at #4, step=4", b1 + b2 + frame)
        n_rec, n_con = len(g.async_records), len(g.console)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("*stopped" in r for r in g.async_records[n_rec:]), 120, "a stop")
        g.pump(0.3)
        stops = [r for r in g.async_records[n_rec:] if r.startswith("*stopped")]
        text = console_since(g, n_con)
        check("timeline/back-then-continue", 'reason="exited-normally"' in stops[0] and
              saw_output(g, "RESULT %s" % expected) and len(SNAPPOINT_RE.findall(text)) == 1,
              "RESULT %s, one more snappoint save" % expected, stops[0] + text)
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        check("timeline/new-branch", rows.get(6, ("",))[:3] == ("->", 2, "#4") and
              all(rows[k][1] == 1 for k in range(1, 6)),
              "#6 on branch 2, after #4", json.dumps(rows))
        g.console_cmd("ckpt back 2", timeout=120)
        at4 = g.console_cmd("frame")
        f = g.console_cmd("ckpt forward", timeout=120)
        at6 = g.console_cmd("frame")
        check("timeline/back-2-forward", "step=4" in at4 and re.search(r"^Forward to #6 ", f, re.M) and "step=5" in at6,
              "back 2 from a run on from #6 lands at #4, forward at #6 again", at4 + f + at6)
        cls, rest, _ = g.console_cmd("ckpt forward", allow_error=True)
        one_line_error("timeline/forward-at-the-end", cls + " " + rest, "#6 has no later snapshot")
        cls, rest, _ = g.console_cmd("ckpt back 9", allow_error=True)
        one_line_error("timeline/back-too-far", cls + " " + rest, "goes too far")
        c = Client(socket_path(g.proc.pid))
        r = c.req({"op": "timeline"})
        ping = c.req({"op": "ping"})
        c.close()
        es = r.get("entries", [])
        check("timeline/socket", r.get("ok") and r.get("current") == 6 and r.get("at_current") is True and
              [e["parent"] for e in es] == [None, 1, 2, 3, 4, 4] and [e["branch"] for e in es] == [1] * 5 + [2] and
              es[0]["path"] == files[0] and ping.get("protocol", 0) >= 2 and "timeline" in ping.get("ops", []),
              "6 entries, parents and branches, protocol 2 or later", json.dumps(r)[:600])
        # A snappoint made before the extension is sourced again keeps working, with its count,
        # and the timeline stays.
        load_ext(g)
        n_rec = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("exited" in r for r in g.async_records[n_rec:]), 120, "the exit")
        g.pump(0.3)
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        lst = g.console_cmd("ckpt snappoint list")
        check("timeline/survives-reload", len(rows) == 6 and re.search(r"^1\s+\S+\s+step >= 1\s+6\s", lst, re.M),
              "6 snapshots kept; the snappoint still counts (6 hits)", lst + json.dumps(rows))
        out = g.console_cmd("ckpt snappoint delete 1")
        lst = g.console_cmd("ckpt snappoint list")
        check(tag + "/delete", "No snappoints." in lst, lst.strip(), out + lst)
    finally:
        g.close()


def test_auto():
    """Automatic snapshots: set over the socket (suspend) they save at the breakpoint and at
    the end of each step, in the background, with those origins, each one restarting to the
    program's result; in breakpoint mode a step saves nothing; back over the socket restarts
    the snapshot before; bad modes and directories are one-line errors."""
    tag = "auto"
    expected = plain_result(EXES["prog1"])
    d = os.path.join(WORK, tag)
    os.makedirs(d)
    g = start_mi()
    try:
        load_ext(g)
        c = Client(socket_path(g.proc.pid))
        r = c.req({"op": "auto", "mode": "suspend", "dir": d})
        ping = c.req({"op": "ping"})
        check(tag + "/set-over-the-socket", r.get("ok") and r.get("mode") == "suspend" and r.get("dir") == d and
              ping.get("protocol") == 4 and
              {"auto", "back", "forward", "snappoint", "snappoints", "snappoint_delete"} <= set(ping.get("ops", [])),
              json.dumps(r), json.dumps(ping))
        run_to_break(g, "prog1")
        for _ in range(2):
            n = len(g.async_records)
            g.mi("-exec-next")
            g.wait_stopped(60, since=n)
        g.wait_for(lambda: c.req({"op": "auto"}).get("saved") == 3, 60, "three automatic saves")
        tl = c.req({"op": "timeline"})
        es = tl.get("entries", [])
        files = [e["path"] for e in es]
        check(tag + "/origins", [e["origin"] for e in es] == ["breakpoint", "step", "step"] and
              [e["parent"] for e in es] == [None, 1, 2] and all(os.path.dirname(f) == d for f in files),
              "breakpoint, step, step, each after the one before, in %s" % d, json.dumps(tl)[:800])
        anns = [json.loads(subprocess.run([CKPT, "info", "--json", f], capture_output=True, text=True).stdout)
                ["annotation"]["origin"] for f in files]
        check(tag + "/in-the-statefiles", anns == ["breakpoint", "step", "step"] and
              all(stat.S_IMODE(os.stat(f).st_mode) == 0o600 for f in files), json.dumps(anns))
        for k, f in enumerate(files, 1):
            got, whole = restart_result(f)
            check("%s/restart-%d" % (tag, k), got == expected, "RESULT %s" % got, whole)
        out = g.console_cmd("ckpt auto breakpoint")
        n = len(g.async_records)
        g.mi("-exec-next")
        g.wait_stopped(60, since=n)
        g.pump(1.0)
        st = c.req({"op": "auto"})
        check(tag + "/breakpoint-mode-no-step-saves", st.get("mode") == "breakpoint" and st.get("saved") == 3 and
              "Automatic snapshots: breakpoint into %s; 3 saved" % d in out, out.strip(), json.dumps(st))
        c.req({"op": "auto", "mode": "suspend"})  # the attach's stop after going back is no new state
        r = c.req({"op": "back", "steps": 2})
        g.pump(1.0)
        frame = g.console_cmd("frame")
        tl = c.req({"op": "timeline"})
        check(tag + "/back-over-the-socket", r.get("ok") and r.get("timeline") == 2 and tl.get("current") == 2 and
              tl.get("at_current") is True and "step_here" in frame and c.req({"op": "auto"}).get("saved") == 3,
              "back 2 from a run on from #3 lands at #2, and the restart is not saved", json.dumps(r) + frame)
        r = c.req({"op": "forward"})
        g.pump(1.0)
        check(tag + "/forward-over-the-socket", r.get("ok") and r.get("timeline") == 3 and
              c.req({"op": "auto"}).get("saved") == 3, json.dumps(r))
        r = c.req({"op": "auto", "mode": "sometimes"})
        one_line_error(tag + "/bad-mode", str(r.get("error")), "auto: mode must be one of off, breakpoint, suspend")
        r = c.req({"op": "back", "steps": 0})
        one_line_error(tag + "/bad-steps", str(r.get("error")), "back: steps must be a whole number above 0")
        cls, rest, _ = g.console_cmd("ckpt auto suspend " + os.path.join(d, "missing"), allow_error=True)
        one_line_error(tag + "/missing-directory", cls + " " + rest, "ckpt auto: no such directory")
        c.req({"op": "auto", "mode": "off"})
        # Snapshot points over the socket: made, listed, saving at a hit, deleted.
        r = c.req({"op": "snappoint", "location": "prog1.c:%d" % break_line("prog1.c"), "condition": "round == 5"})
        lst = c.req({"op": "snappoints"})
        check(tag + "/snappoint-over-the-socket", r.get("ok") and r.get("condition") == "round == 5" and
              [s["number"] for s in lst.get("snappoints", [])] == [r.get("number")], json.dumps(r) + json.dumps(lst))
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("exited" in x for x in g.async_records[n:]), 60, "the exit")
        lst = c.req({"op": "snappoints"})
        sp = (lst.get("snappoints") or [{}])[0]
        check(tag + "/snappoint-saved", sp.get("hits") == 1 and sp.get("last") and os.path.isfile(sp["last"]) and
              json.loads(subprocess.run([CKPT, "info", "--json", sp["last"]], capture_output=True, text=True).stdout)
              ["annotation"]["origin"] == "snappoint", json.dumps(lst))
        r = c.req({"op": "snappoint_delete", "numbers": [sp.get("number", 0)]})
        check(tag + "/snappoint-deleted", r.get("ok") and c.req({"op": "snappoints"}).get("snappoints") == [],
              json.dumps(r))
        r = c.req({"op": "snappoint_delete", "numbers": [99]})
        one_line_error(tag + "/snappoint-delete-missing", str(r.get("error")), "no snappoint 99")
        r = c.req({"op": "snappoint", "location": ""})
        one_line_error(tag + "/snappoint-bad-location", str(r.get("error")), "snappoint: location must be")
        c.close()
        check(tag + "/off-then-result", saw_output(g, "RESULT %s" % expected) and
              len(glob.glob(os.path.join(d, "*.ckpt"))) == 3, "RESULT %s, still 3 automatic statefiles" % expected)
    finally:
        g.close()


def test_snappoint_under_next():
    """A `next` over a call that hits a snappoint saves once and still ends on the next line,
    as a plain `next` does, with the second thread running; the statefile saved in the middle
    of the step restarts to the program's result, and so does the program."""
    tag = "snappoint-next"
    expected = plain_result(EXES["travel"])
    call_line = next(i for i, line in enumerate(open(os.path.join(HERE, "travel.c")), 1) if "total += stop_here" in line)
    g = start_mi()
    try:
        load_ext(g)
        g.mi("-file-exec-and-symbols " + EXES["travel"])
        g.mi('-break-insert -c "round == 2" travel.c:%d' % call_line)
        g.console_cmd("ckpt snappoint stop_here")
        n = len(g.async_records)
        g.mi("-exec-run")
        rec = g.wait_stopped(60, since=n)
        check(tag + "/at-the-call", 'reason="breakpoint-hit"' in rec and 'line="%d"' % call_line in rec, rec)
        n_rec, n_con = len(g.async_records), len(g.console)
        g.mi("-exec-next")
        rec = g.wait_stopped(60, since=n_rec)
        g.pump(0.3)
        text = console_since(g, n_con)
        hits = SNAPPOINT_RE.findall(text)
        line = re.search(r'line="(\d+)"', rec)
        rnd = g.console_cmd("print round")
        check(tag + "/next-ends-on-the-next-line", 'reason="end-stepping-range"' in rec and line and
              int(line.group(1)) != call_line and 'func="main"' in rec and "= 2" in rnd and
              [h[1] for h in hits] == ["3"] and hits[0][3] == "2", "one save (hit 3, 2 threads), then %s" % (
                  "line " + line.group(1) if line else "?"), rec + "\n" + text + rnd)
        n = len(g.async_records)
        g.mi("-break-delete")
        g.mi("-exec-continue")
        g.wait_for(lambda: any("exited" in r for r in g.async_records[n:]), 120, "the exit")
        g.pump(0.3)
        check(tag + "/program-result", saw_output(g, "RESULT %s" % expected), "RESULT %s" % expected,
              "\n".join(g.target_output[-5:]))
        if hits:
            got, whole = restart_result(hits[0][2])
            check(tag + "/saved-during-next-restarts", got == expected, "RESULT %s" % got, whole)
    finally:
        g.close()


def test_label():
    """Labels and notes: set in gdb, over the socket and with the ckpt command; kept in the
    statefile (ckpt info, text and JSON); only the note's bytes change, the size and mode stay,
    and a write torn anywhere still leaves a valid statefile."""
    tag = "label"
    g = start_mi()
    f1, f2 = os.path.join(WORK, "label-1.ckpt"), os.path.join(WORK, "label-2.ckpt")
    try:
        load_ext(g)
        run_to_break(g, "prog1")
        g.console_cmd("ckpt save -l 'first stop' " + f1)
        g.console_cmd("ckpt save " + f2)  # over the same stop: #2 follows #1
        info = json.loads(subprocess.run([CKPT, "info", "--json", f1], capture_output=True, text=True).stdout)
        check(tag + "/at-save", info["annotation"]["label"] == "first stop" and info["annotation"]["origin"] == "manual",
              json.dumps(info["annotation"]))
        before = open(f2, "rb").read()
        st = os.stat(f2)
        out = g.console_cmd('ckpt label 2 "the bug is near"')
        out += g.console_cmd("ckpt label --note 2 two lines\\nof note")
        after = open(f2, "rb").read()
        info = json.loads(subprocess.run([CKPT, "info", "--json", f2], capture_output=True, text=True).stdout)
        text = subprocess.run([CKPT, "info", f2], capture_output=True, text=True).stdout
        changed = [i for i in range(min(len(before), len(after))) if before[i] != after[i]]
        st2 = os.stat(f2)
        check(tag + "/set-in-gdb", info["annotation"]["label"] == "the bug is near" and
              info["annotation"]["note"] == "two lines\nof note" and "Label:      the bug is near" in text and
              "Note:       two lines\n            of note" in text, out.strip(), out + text)
        check(tag + "/only-the-note-changes", len(before) == len(after) and st.st_size == st2.st_size and
              stat.S_IMODE(st2.st_mode) == 0o600 and changed and changed[-1] - changed[0] < 4096,
              "%d bytes changed within %d bytes; size and mode kept" % (len(changed), changed[-1] - changed[0] + 1
                                                                       if changed else 0))
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        check(tag + "/in-timeline", rows.get(2, ("",) * 6)[5] == "the bug is near" and rows.get(1, ("",) * 6)[5] ==
              "first stop" and rows[2][2] == "#1", json.dumps(rows))
        c = Client(socket_path(g.proc.pid))
        r = c.req({"op": "label", "path": f1, "label": "from the IDE"})
        bad = c.req({"op": "label", "path": f1, "label": "line\nbreak"})
        f3 = os.path.join(WORK, "label-3.ckpt")
        s3 = c.req({"op": "save", "path": f3, "origin": "breakpoint", "label": "saved by the IDE"})
        s4 = c.req({"op": "save", "path": f3, "origin": "sideways"})
        c.close()
        check(tag + "/socket", r.get("ok") and r["annotation"]["label"] == "from the IDE" and bad.get("ok") is False and
              "control character" in bad.get("error", ""), json.dumps(r), json.dumps(bad))
        a3 = json.loads(subprocess.run([CKPT, "info", "--json", f3], capture_output=True, text=True).stdout)["annotation"]
        check(tag + "/socket-save-origin", s3.get("ok") and s3.get("timeline") == 3 and a3["origin"] == "breakpoint" and
              a3["label"] == "saved by the IDE" and a3["parent"] == "label-2.ckpt" and s4.get("ok") is False and
              "origin must be one of" in s4.get("error", ""), json.dumps(a3), json.dumps(s3) + json.dumps(s4))
        cls, rest, _ = g.console_cmd("ckpt label 9 nothing there", allow_error=True)
        one_line_error(tag + "/unknown-number", cls + " " + rest, "no #9")
        cls, rest, _ = g.console_cmd("ckpt label 1 " + "x" * 300, allow_error=True)
        one_line_error(tag + "/too-long", cls + " " + rest, "at most 255 fit")
    finally:
        g.close()
    # The ckpt command: its usage, and a hostile label refused.
    r = subprocess.run([CKPT, "label", "--help"], capture_output=True, text=True)
    check(tag + "/cli-help", r.returncode == 0 and r.stdout.startswith("  ckpt label FILE [LABEL] [--note TEXT]"),
          r.stdout.splitlines()[0] if r.stdout else "", r.stdout + r.stderr)
    r = subprocess.run([CKPT, "label", f1, "\x1b[2Jhidden"], capture_output=True, text=True)
    check(tag + "/cli-refuses-escape", r.returncode == 1 and r.stderr.count("\n") == 1 and "control character" in r.stderr,
          r.stderr.strip(), r.stderr)
    r = subprocess.run([CKPT, "label", f1], capture_output=True, text=True)
    check(tag + "/cli-nothing-to-set", r.returncode == 2 and r.stderr.startswith("ckpt: label: nothing to set"),
          r.stderr.strip(), r.stderr)
    r = subprocess.run([CKPT, "label", "--note", "a note", "--", f1, "-dash label"], capture_output=True, text=True)
    info = json.loads(subprocess.run([CKPT, "info", "--json", f1], capture_output=True, text=True).stdout)
    check(tag + "/cli", r.returncode == 0 and info["annotation"]["label"] == "-dash label" and
          info["annotation"]["note"] == "a note", json.dumps(info["annotation"]), r.stderr)
    # Torn writes: the old file with any prefix of the changed bytes from the new one is valid.
    old = open(f2, "rb").read()
    subprocess.run([CKPT, "label", f2, "a different label", "--note", "and a different note"], check=True)
    new = open(f2, "rb").read()
    changed = [i for i in range(len(old)) if old[i] != new[i]]
    torn = os.path.join(WORK, "torn.ckpt")
    bad = []
    for k in range(0, len(changed), max(1, len(changed) // 7)):
        cut = changed[k]
        with open(torn, "wb") as t:
            t.write(new[:cut] + old[cut:])
        r = subprocess.run([CKPT, "info", "--json", torn], capture_output=True, text=True)
        if r.returncode != 0:
            bad.append("cut at %d: %s" % (cut, r.stderr.strip()))
    got, whole = restart_result(f2)
    check(tag + "/torn-write-still-valid", changed and not bad, "%d cuts inside the %d changed bytes, all valid" % (
        len(range(0, len(changed), max(1, len(changed) // 7))), len(changed)), "\n".join(bad))
    check(tag + "/labeled-file-restarts", got == plain_result(EXES["prog1"]), "RESULT %s" % got, whole)


DIFF_LINE_RE = re.compile(r"^  ([A-Za-z_]\w*)(?:\[\d+\]|\.\w+)* \(", re.M)


def test_diff():
    """ckpt diff names exactly the variables that travel.c changes between two stops, counts
    the pages that differ, finds nothing between a file and itself, and refuses statefiles of
    two programs in one line."""
    tag = "diff"
    g = start_mi()
    a, b = os.path.join(WORK, "diff-a.ckpt"), os.path.join(WORK, "diff-b.ckpt")
    try:
        load_ext(g)
        g.mi("-file-exec-and-symbols " + EXES["travel"])
        g.mi('-break-insert -c "step == 2" travel.c:%d' % TRAVEL_LINE)
        n = len(g.async_records)
        g.mi("-exec-run")
        g.wait_stopped(60, since=n)
        g.console_cmd("ckpt save " + a)
        g.mi("-break-delete")
        g.mi('-break-insert -c "step == 3" travel.c:%d' % TRAVEL_LINE)
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_stopped(60, since=n)
        g.console_cmd("ckpt save " + b)
        t0 = time.time()
        out = g.console_cmd("ckpt diff 1 2", timeout=300)
        took = time.time() - t0
        sections = re.split(r"^(?=Frames|Globals|Memory)", out, flags=re.M)
        frames = set(DIFF_LINE_RE.findall(next((x for x in sections if x.startswith("Frames")), "")))
        globs = set(DIFF_LINE_RE.findall(next((x for x in sections if x.startswith("Globals")), "")))
        pages = re.search(r"^Memory: (\d+) of (\d+) stored pages differ", out, re.M)
        check(tag + "/frames", frames == {"step", "weight", "local", "round", "total"}, ", ".join(sorted(frames)), out)
        check(tag + "/globals", globs == {"counter", "table", "phase"}, ", ".join(sorted(globs)), out)
        check(tag + "/element-named", "table[21] (global in travel.c): 0 -> 4" in out, "table[21]: 0 -> 4", out)
        check(tag + "/pages", pages and 0 < int(pages.group(1)) < int(pages.group(2)),
              "%s of %s pages, in %.1f s" % (pages.group(1), pages.group(2), took) if pages else "", out)
        same = g.console_cmd("ckpt diff %s %s" % (a, a), timeout=300)
        check(tag + "/same-file", same.count("  no difference") == 2 and "Memory: 0 of " in same, "no difference", same)
        # Statefiles of two programs.
        other = os.path.join(WORK, "diff-other.ckpt")
        g.console_cmd("kill")
        run_to_break(g, "prog1")
        g.console_cmd("ckpt save " + other)
        cls, rest, _ = g.console_cmd("ckpt diff %s %s" % (a, other), allow_error=True, timeout=120)
        one_line_error(tag + "/two-programs", cls + " " + rest, "statefiles of different programs")
        cls, rest, _ = g.console_cmd("ckpt diff 1", allow_error=True)
        one_line_error(tag + "/usage", cls + " " + rest, "usage: ckpt diff A B")
    finally:
        g.close()


# A user's gdb init file, as people write them: options, a command of their own, a hook, and
# the extension sourced from it too.
USER_GDBINIT = """\
set history save on
set history filename {home}/.gdb_history
set print pretty on
set pagination off
set confirm off
handle SIGUSR1 nostop noprint
define bpl
  info breakpoints
end
document bpl
List the breakpoints.
end
define hook-stop
  echo [user hook-stop]\\n
end
source {ext}
"""


def generated_init(ext, user_init):
    """The init file that the IDE writes for a launch (bundles' GdbInit.contents)."""
    return ("# Written by ckpt (io.ckpt.debug): loads ckpt's gdb extension, then this launch's own\n"
            "# gdb init file when it exists. Regenerated at each launch; do not edit.\n"
            "python\nimport os\ntry:\n    gdb.execute(\"source \" + %r)\nexcept gdb.error as e:\n"
            "    gdb.write(\"ckpt: could not load the gdb extension: %%s\\n\" %% e, gdb.STDERR)\n"
            "_ckpt_user_init = os.path.expanduser(%r)\nif _ckpt_user_init and os.path.isfile(_ckpt_user_init):\n"
            "    gdb.execute(\"source \" + _ckpt_user_init)\nend\n") % (ext, user_init)


def test_user_init_twice():
    """gdb started without --nx reads the user's ~/.gdbinit, then the IDE's init file loads the
    extension and sources that same file again (which sources the extension too): harmless.
    One set of commands, one socket, the user's command and options, the hook once per stop,
    and save, snappoints, the timeline and restart work."""
    tag = "user-init-twice"
    home = os.path.join(WORK, "home")
    os.makedirs(home)
    user_init = os.path.join(home, ".gdbinit")
    with open(user_init, "w") as f:
        f.write(USER_GDBINIT.format(home=home, ext=EXT))
    init = os.path.join(WORK, "ide-gdbinit")
    with open(init, "w") as f:
        f.write(generated_init(EXT, "~/.gdbinit"))
    env = dict(ENV, HOME=home)
    g = GdbMI(GDB, env=env, cwd=WORK, nx=False)
    try:
        g.mi("-gdb-set mi-async on")
        n_log = len(g.log)
        g.console_cmd("source " + init)
        startup = "\n".join(g.log[:n_log + 200])
        helptext = g.console_cmd("help ckpt")
        names = re.findall(r"^ckpt (\w+) --", helptext, re.M)
        shown = {k: g.console_cmd("show " + k).strip() for k in ("print pretty", "pagination", "confirm")}
        sig = g.console_cmd("info signals SIGUSR1")
        bpl = g.console_cmd("bpl")
        out = g.console_cmd("python import threading; print('SOCKETS', sum(t.name == 'ckpt-socket' for t in "
                            "threading.enumerate()))")
        check(tag + "/no-errors", "Traceback" not in startup and "rror" not in startup and "could not load" not in startup,
              "nothing went wrong while loading", startup)
        check(tag + "/one-set-of-commands", len(names) == len(set(names)) and {"save", "snappoint", "timeline",
                                                                             "diff"} <= set(names) and
              "SOCKETS 1" in out, "%d ckpt commands once each, one socket" % len(names), helptext + out)
        check(tag + "/user-settings", shown["print pretty"].endswith("is on.") and shown["pagination"].endswith("is off.") and
              shown["confirm"].endswith("is off.") and re.search(r"^SIGUSR1\s+No\s+No\s+Yes", sig, re.M) and
              "No breakpoints" in bpl, json.dumps(shown) + " " + bpl.strip(), sig)
        g.mi("-file-exec-and-symbols " + EXES["travel"])
        g.console_cmd("ckpt snappoint travel.c:%d if step == 4" % TRAVEL_LINE)
        g.mi('-break-insert -c "step == 2" travel.c:%d' % TRAVEL_LINE)
        n_con = len(g.console)
        n = len(g.async_records)
        g.mi("-exec-run")
        g.wait_stopped(60, since=n)
        g.pump(0.3)
        hook = console_since(g, n_con).count("[user hook-stop]")
        saved = g.console_cmd("ckpt save " + os.path.join(WORK, "init-twice.ckpt"))
        n = len(g.async_records)
        g.mi("-break-delete 2")
        g.mi("-exec-continue")
        g.wait_for(lambda: any("exited" in r for r in g.async_records[n:]), 120, "the exit")
        g.pump(0.3)
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        back = g.console_cmd("ckpt back 2", timeout=120)
        frame = g.console_cmd("frame")
        check(tag + "/hook-once-per-stop", hook == 1, "%d hook line(s) at the first stop" % hook, console_since(g, n_con))
        check(tag + "/save-snappoint-timeline-back", SAVED_RE.search(saved) and len(rows) == 2 and
              rows[2][3] == "snappoint" and rows[2][2] == "#1" and re.search(r"^Back to #1 ", back, re.M) and
              "step=2" in frame,
              "saved at step 2, snappoint at step 4, back 2 to #1", saved + json.dumps(rows) + back + frame)
    finally:
        g.close()


def test_cdt_full_console():
    """gdb started as CDT's full gdb console starts it (GDBBackend_7_12: the CLI on gdb's own
    terminal, MI on a pty of its own through new-ui, --nx kept from GDBBackend), with the
    launch's gdb init file at CDT's default, `.gdbinit` in gdb's working directory, sourcing the
    extension itself: the IDE's init file loads the extension, then that file, which loads it
    again.  ~/.gdbinit is not read (--nx).  Snappoints report on the console (gdb handles the
    program's events with the console as its current UI); the timeline and back work through
    MI; the program's output, restarted too, reaches the console."""
    tag = "cdt-full-console"
    expected = plain_result(EXES["travel"])
    home, project = os.path.join(WORK, "fc-home"), os.path.join(WORK, "fc-project")
    os.makedirs(home)
    os.makedirs(project)
    with open(os.path.join(home, ".gdbinit"), "w") as f:
        f.write("echo [home gdbinit read]\\n\n")
    with open(os.path.join(project, ".gdbinit"), "w") as f:
        f.write(USER_GDBINIT.format(home=project, ext=EXT))
    init = os.path.join(WORK, "fc-ide-gdbinit")
    with open(init, "w") as f:
        f.write(generated_init(EXT, ".gdbinit"))
    log = os.path.join(WORK, "fc-console.log")

    def console_text():
        with open(log, errors="replace") as f:
            return f.read()

    g = GdbMI(GDB, env=dict(ENV, HOME=home, CKPT_DIR=project), cwd=project, console_log=log)
    try:
        g.mi("-gdb-set mi-async on")
        g.console_cmd("source " + init)
        names = re.findall(r"^ckpt (\w+) --", g.console_cmd("help ckpt"), re.M)
        out = g.console_cmd("python import threading; print('SOCKETS', sum(t.name == 'ckpt-socket' for t in "
                            "threading.enumerate()))")
        pretty = g.console_cmd("show print pretty")
        startup = "\n".join(g.log) + console_text()
        check(tag + "/started", "New UI allocated" in console_text() and "GNU gdb" in console_text(),
              "a console and MI on its own pty", console_text()[-2000:])
        check(tag + "/no-home-gdbinit", "[home gdbinit read]" not in startup, "~/.gdbinit not read (--nx)", startup)
        check(tag + "/loaded-twice", "Traceback" not in startup and "rror" not in startup and
              {"save", "snappoint", "timeline", "back"} <= set(names) and len(names) == len(set(names)) and
              "SOCKETS 1" in out and pretty.strip().endswith("is on."), "one set of commands, one socket, the project's settings",
              startup + out + pretty)
        g.mi("-file-exec-and-symbols " + EXES["travel"])
        g.console_cmd("ckpt snappoint travel.c:%d if step >= 4" % TRAVEL_LINE)
        n = len(g.async_records)
        g.mi("-exec-run")
        g.wait_for(lambda: any("exited" in r for r in g.async_records[n:]), 120, "the exit")
        g.pump(0.3)
        time.sleep(0.3)
        text = console_text()
        hits = SNAPPOINT_RE.findall(text)
        check(tag + "/snappoints-on-the-console", [h[1] for h in hits] == ["1", "2"] and
              "RESULT %s" % expected in text, "2 saves and RESULT %s on the console" % expected, text[-3000:])
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        back = g.console_cmd("ckpt back", timeout=120)
        frame = g.console_cmd("frame")
        check(tag + "/timeline-and-back", sorted(rows) == [1, 2] and re.search(r"^Back to #2 ", back, re.M) and
              "step=5" in frame, "#1 and #2, back to #2 at step 5", json.dumps(rows) + back + frame)
        before = console_text().count("RESULT %s" % expected)
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("exited" in r for r in g.async_records[n:]), 120, "the exit")
        g.pump(0.3)
        time.sleep(0.3)
        check(tag + "/restarted-output-on-the-console", console_text().count("RESULT %s" % expected) == before + 1,
              "RESULT %s once more" % expected, console_text()[-2000:])
    finally:
        g.close()


def test_unrestorable():
    """A program holding what restart cannot rebuild (a packet socket, a pidfd, a deleted FIFO):
    ckpt save refuses it in one line naming the option, the socket says so, and
    ckpt save --allow-unrestorable saves it; the file restarts in gdb to the undisturbed result."""
    tag = "unrestorable"
    work = os.path.join(WORK, "lost")
    os.makedirs(work, exist_ok=True)
    src = os.path.join(HERE, "..", "progs", "unrestorable.c")
    with open(src) as f:
        line = next(i for i, text in enumerate(f, 1) if "sum += i" in text)
    g = start_mi()
    try:
        load_ext(g)
        c = Client(socket_path(g.proc.pid))
        g.mi("-file-exec-and-symbols " + EXES["unrestorable"])
        g.mi("-exec-arguments %s %s" % (os.path.join(work, "ready"), work))
        g.mi('-break-insert -c "i == 5" unrestorable.c:%d' % line)
        n = len(g.async_records)
        g.mi("-exec-run")
        rec = g.wait_stopped(60, since=n)
        check(tag + "/at-breakpoint", 'reason="breakpoint-hit"' in rec, "", rec)
        refused = os.path.join(work, "refused.ckpt")
        cls, rest, _ = g.console_cmd("ckpt save " + refused, allow_error=True)
        one_line_error(tag + "/refused", cls + " " + rest, "--allow-unrestorable")
        check(tag + "/refusal-names-the-socket", "socket of a kind restart cannot rebuild" in rest, "", rest)
        check(tag + "/no-file-left", not os.path.exists(refused), refused)
        r = c.req({"op": "save", "path": refused})
        check(tag + "/socket-says-unrestorable", r.get("ok") is False and r.get("unrestorable") is True,
              "", json.dumps(r))
        r = c.req({"op": "save", "path": os.path.join(work, "nodir", "x.ckpt")})
        check(tag + "/other-errors-are-not", r.get("ok") is False and r.get("unrestorable") is False,
              "", json.dumps(r))
        r = c.req({"op": "save", "path": os.path.join(work, "socket.ckpt"), "allow_unrestorable": True})
        check(tag + "/socket-saves-anyway", r.get("ok") is True and os.path.exists(r.get("path", "")),
              "", json.dumps(r))
        saved = os.path.join(work, "saved.ckpt")
        out = g.console_cmd("ckpt save --allow-unrestorable " + saved, timeout=120)
        check(tag + "/saved-anyway", os.path.exists(saved) and saved_line_re(saved).search(out), "", out)
        info = subprocess.run([CKPT, "check", saved], capture_output=True, text=True, env=ENV, timeout=60)
        check(tag + "/check-notes-lost-fd", "comes back as /dev/null" in info.stdout, "", info.stdout[-800:])
        g.mi("-break-delete")
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("*stopped" in r and "exited" in r for r in g.async_records[n:]), 60, "exit")
        check(tag + "/original-finishes", saw_output(g, "sum 190"), "", "\n".join(g.log[-8:]))
        del g.log[:]
        out = g.console_cmd("ckpt restart " + saved, timeout=120)
        check(tag + "/restarted", re.search(r"^Restarted %s: pid \d+" % re.escape(saved), out, re.M), "", out)
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("*stopped" in r and "exited" in r for r in g.async_records[n:]), 60, "exit")
        g.pump(0.3)
        check(tag + "/restart-finishes-undisturbed", saw_output(g, "sum 190"), "", "\n".join(g.log[-8:]))
        c.close()
    finally:
        g.close()


def saved_line_re(path):
    return re.compile(r"^Saved %s: \d+ threads" % re.escape(path), re.M)


def test_back_in_place():
    """Going back and forth in the session that saved the snapshots, with the program stopped:
    the very process is put back (same pid, no new attach), writing back only what changed
    since; back twice, forward and back again land at the saved steps; the breakpoint that gdb
    keeps inserted (always-inserted) still stops it, and the program then continues to the
    undisturbed result.  In a second run, a mapping made since (gdb makes the program malloc
    64 MiB) is unmapped in place, and a block it unmapped since is mapped again with its bytes;
    an fd opened since is not put back, and back restarts the snapshot instead, which continues
    to the same result."""
    tag = "back-in-place"
    expected = plain_result(EXES["travel"])
    d = os.path.join(WORK, "inplace")
    os.makedirs(d, exist_ok=True)
    inplace_re = r"^%s to #%d \(%s\): in place, 2 threads, (\d+\.\d) MiB written back in \d+ ms$"

    def pid_now():
        m = re.search(r"PID (\d+)", g.console_cmd("python print('PID', gdb.selected_inferior().pid)"))
        return int(m.group(1)) if m else None

    def go(cmd, verb, num):
        # The program is put back, then gdb reports a stop there, as front ends need.
        n = len(g.async_records)
        out = g.console_cmd(cmd, timeout=120)
        g.wait_stopped(30, since=n)
        m = re.search(inplace_re % (verb, num, "s%d.ckpt" % (num - 1)), out, re.M)
        step = re.search(r"step=(\d+)", g.console_cmd("frame"))
        return out, (float(m.group(1)) if m else None), (int(step.group(1)) if step else None)

    def resume():
        n = len(g.async_records)
        g.mi("-exec-continue")
        return g.wait_stopped(60, since=n)

    def run_and_save(exe, location, names):
        """Runs exe to the breakpoint at location and saves there, going on to the next hit
        between two saves."""
        g.mi("-file-exec-and-symbols " + exe)
        g.mi("-break-insert " + location)
        n = len(g.async_records)
        g.mi("-exec-run")
        g.wait_stopped(60, since=n)
        for k, name in enumerate(names):
            if k:
                resume()
            g.console_cmd("ckpt save " + os.path.join(d, name), timeout=120)

    def run_to_exit(timeout=120):
        g.mi("-break-delete")
        n = len(g.async_records)
        g.mi("-exec-continue")
        g.wait_for(lambda: any("exited" in r for r in g.async_records[n:]), timeout, "the exit")
        g.pump(0.3)
        return "".join(g.async_records[n:])

    g = start_mi()
    try:
        load_ext(g)
        g.console_cmd("set breakpoint always-inserted on")
        run_and_save(EXES["travel"], "travel.c:%d" % TRAVEL_LINE, ["s0.ckpt", "s1.ckpt", "s2.ckpt"])
        pid = pid_now()
        moves = [go("ckpt back", "Back", 2), go("ckpt back", "Back", 1), go("ckpt forward", "Forward", 2),
                 go("ckpt back", "Back", 1)]
        rows = timeline_rows(g.console_cmd("ckpt timeline"))
        text = "".join(m[0] for m in moves)
        check(tag + "/back-forward-back", [m[2] for m in moves] == [1, 0, 1, 0] and all(m[1] is not None for m in moves)
              and pid_now() == pid and rows.get(1, ("",))[0] == "=>", "in place at steps 1, 0, 1, 0, pid %s kept" % pid,
              text + json.dumps(rows))
        # The pages the loop wrote, the stacks' and the libraries' data: far less than the
        # 10 MiB the program has mapped.
        written = [m[1] for m in moves if m[1] is not None]
        check(tag + "/only-what-changed", written and max(written) < 2.0, "%s MiB written back" % written, text)
        # gdb kept its breakpoint inserted all along: it still stops the program there.
        rec = resume()
        step = re.search(r"step=(\d+)", g.console_cmd("frame"))
        check(tag + "/breakpoint-still-inserted", 'reason="breakpoint-hit"' in rec and step and step.group(1) == "1",
              "continue stops at the breakpoint at step 1", rec)
        run_to_exit()
        results = sum("RESULT %s" % expected in line for line in g.log)
        check(tag + "/continues-to-the-result", results == 1, "RESULT %s" % expected, "\n".join(g.log[-20:]))
        # A new run, saved at steps 0 and 1; then a mapping the snapshots lack (gdb makes the
        # program malloc 64 MiB and write to it): back unmaps it, in place.
        run_and_save(EXES["travel"], "travel.c:%d" % TRAVEL_LINE, ["s3.ckpt", "s4.ckpt"])
        pid = pid_now()
        g.console_cmd("call (void *) memset(malloc(64 << 20), 1, 4096)")
        out, mib, step = go("ckpt back", "Back", 4)

        def biggest_mapping():
            with open("/proc/%d/maps" % pid) as f:
                return max(int(e, 16) - int(b, 16) for b, e in (line.split()[0].split("-") for line in f))
        check(tag + "/in-place-when-mapped-since", mib is not None and step == 0 and pid_now() == pid and
              biggest_mapping() < (64 << 20), "a new mapping: unmapped in place, at step 0", out)
        # A mapping the program unmapped since (free of a 1 MiB block, which glibc unmaps):
        # back maps it again in place, with its bytes.
        g.console_cmd("set $blk = (char *) malloc(1 << 20)")
        g.console_cmd("call (void *) memset($blk, 7, 1 << 20)")
        g.console_cmd("ckpt save " + os.path.join(d, "s5.ckpt"), timeout=120)
        g.console_cmd("call (void) free($blk)")
        resume()
        out, mib, step = go("ckpt back", "Back", 6)
        kept = g.console_cmd("print $blk[0] + $blk[(1 << 20) - 1]")
        check(tag + "/in-place-when-unmapped-since", mib is not None and step == 0 and pid_now() == pid and
              re.search(r"= 14$", kept.strip()), "an unmapped block: mapped again in place with its bytes", out + kept)
        # An fd the snapshot lacks is not put back: back restarts the snapshot instead.
        g.console_cmd("call (int) dup(1)")
        out = g.console_cmd("ckpt back", timeout=120)
        frame = g.console_cmd("frame")
        check(tag + "/restart-when-opened-since", re.search(r"^Back to #4 \(s3.ckpt\): pid \d+, 2 threads in", out, re.M)
              and "in place" not in out and "step=0" in frame, "a new fd: restarted, at step 0", out + frame)
        run_to_exit()
        results = sum("RESULT %s" % expected in line for line in g.log)
        check(tag + "/restarted-continues-to-the-result", results == 2, "RESULT %s again" % expected,
              "\n".join(g.log[-20:]))
        # A thread stopped at a breakpoint while the main thread sleeps in usleep (a system call
        # that the kernel restarts with a restart block): in place too, and the sleep goes on.
        with open(os.path.join(HERE, "spin.c")) as f:
            line = next(i for i, text in enumerate(f, 1) if "counters[i]++" in text)
        g.mi("-exec-arguments 2")
        run_and_save(EXES["spin"], "spin.c:%d" % line, ["spin0.ckpt", "spin1.ckpt"])
        n = len(g.async_records)
        out = g.console_cmd("ckpt back", timeout=120)
        g.wait_stopped(30, since=n)
        ended = run_to_exit(60)
        check(tag + "/sleeping-thread", re.search(r"^Back to #\d+ \(spin0.ckpt\): in place, 2 threads", out, re.M) and
              'exited-normally' in ended and saw_output(g, "SPIN 1 1"),
              "in place with the main thread in usleep; it ends normally", out + "\n".join(g.log[-20:]))
    finally:
        g.close()


def test_batch_background_save():
    """gdb -batch that ends right after `ckpt save -b`: the file is finished at gdb's exit and gdb
    exits cleanly (gdb 13 crashed in its exit handlers when the save's completion was still
    queued)."""
    tag = "batch-background-save"
    path = os.path.join(WORK, "batch-bg.ckpt")
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-ex", "break travel.c:%d" % TRAVEL_LINE,
                        "-ex", "run", "-ex", "ckpt save -b " + path, EXES["travel"]],
                       capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=120)
    info = subprocess.run([CKPT, "info", path], capture_output=True, text=True)
    check(tag + "/clean-exit", r.returncode == 0 and "Fatal signal" not in r.stderr and info.returncode == 0,
          "gdb exits 0, the statefile is complete", "rc %d\n%s\n%s" % (r.returncode, r.stderr[-2000:], info.stderr))


def test_batch_auto():
    """gdb -batch with automatic snapshots: the stops of the commands that follow each other
    without a pause are saved (the freeze is taken at the stop, before gdb runs the next
    command), ckpt timeline and ckpt auto show them, every file restarts to the program's result,
    and gdb exits cleanly although the last save's report was still to come."""
    tag = "batch-auto"
    expected = plain_result(EXES["travel"])
    d = os.path.join(WORK, tag)
    os.makedirs(d)
    r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-ex", "ckpt auto suspend " + d,
                        "-ex", "break travel.c:%d" % TRAVEL_LINE, "-ex", "run", "-ex", "next", "-ex", "next",
                        "-ex", "continue", "-ex", "ckpt timeline", "-ex", "ckpt auto", EXES["travel"]],
                       capture_output=True, text=True, env=dict(ENV, CKPT_NO_SOCKET="1"), timeout=180)
    rows = timeline_rows(r.stdout)
    counts = re.findall(r"Automatic snapshots: suspend into .*; (\d+) saved, (\d+) skipped", r.stdout)
    saved, skipped = (int(counts[-1][0]), int(counts[-1][1])) if counts else (0, 0)  # the last: ckpt auto's
    files = sorted(glob.glob(os.path.join(d, "*.ckpt")))
    check(tag + "/clean-exit", r.returncode == 0 and "Fatal signal" not in r.stderr, "gdb exits 0",
          "rc %d\n%s" % (r.returncode, r.stderr[-2000:]))
    # Four stops: the breakpoint, two steps, the breakpoint again.  A stop that comes while the
    # file before is still being written and is gone on from before it is complete is skipped.
    check(tag + "/saved", rows.get(1, ("",) * 4)[3] == "breakpoint" and saved >= 2 and saved + skipped == 4 and
          len(rows) == saved == len(files), "the first at the breakpoint, saved + skipped = 4 stops, each in the timeline",
          "%d saved, %d skipped, %d files\n%s" % (saved, skipped, len(files), r.stdout[-3000:]))
    for k, f in enumerate(files, 1):
        got, whole = restart_result(f)
        check("%s/restart-%d" % (tag, k), got == expected, "RESULT %s" % got, whole)


def test_time_travel_errors():
    tag = "travel-errors"
    g = start_mi()
    try:
        load_ext(g)
        for cmd, want in (("ckpt back", "the timeline is empty"), ("ckpt forward", "the timeline is empty"),
                          ("ckpt back x", "usage: ckpt back [N]"), ("ckpt snappoint", "usage: ckpt snappoint"),
                          ("ckpt snappoint main if", "usage: ckpt snappoint"),
                          ("ckpt snappoint delete 7", "no snappoint 7"), ("ckpt diff 1 2", "no #1"),
                          ("ckpt label hello", "no snapshot in this session yet"),
                          ("ckpt timeline x", "usage: ckpt timeline")):
            cls, rest, _ = g.console_cmd(cmd, allow_error=True)
            one_line_error(tag + "/" + cmd.replace(" ", "-"), cls + " " + rest, want)
        out = g.console_cmd("ckpt timeline")
        check(tag + "/empty-timeline", "No snapshots in this session yet" in out, out.strip())
    finally:
        g.close()


# --------------------------------------------------------------------------------------------

def main():
    global EXES
    ok = report(GDB is not None, "gdb-present", GDB or "gdb is not on PATH")
    package = os.path.join(os.path.dirname(EXT), PACKAGE)
    ok = report(os.path.exists(CKPT) and os.path.exists(LIB) and os.path.exists(EXT) and os.path.isdir(package),
                "engine-present", "%s, %s, %s, %s/" % (CKPT, LIB, EXT, package)) and ok
    if not ok:
        return 1
    global TRAVEL_LINE
    try:
        EXES = build_programs()
        TRAVEL_LINE = break_line("travel.c")
        report(True, "test-programs", ", ".join(sorted(EXES)))
    except Exception as e:
        report(False, "test-programs", str(e))
        return 1
    tests = [("abi", test_layout), ("fidelity-prog1", lambda: test_fidelity("prog1")), ("fidelity-prog3", lambda: test_fidelity("prog3")),
             ("plain-debuggers", test_plain_debuggers),
             ("session", test_session), ("always-inserted", test_always_inserted), ("non-stop", test_non_stop),
             ("errors", test_errors), ("check", test_check), ("loading", test_loading), ("interactive", test_interactive), ("inferior-tty", test_inferior_tty), ("socket", test_socket), ("background", test_background), ("socket-peer", test_refused_peer),
             ("tracked", test_tracked_saves), ("packed", test_packed), ("snappoint-all-stop", lambda: test_snappoints(False)),
             ("snappoint-non-stop", lambda: test_snappoints(True)), ("snappoint-next", test_snappoint_under_next),
             ("label", test_label), ("auto", test_auto), ("diff", test_diff),
             ("user-init-twice", test_user_init_twice), ("cdt-full-console", test_cdt_full_console), ("travel-errors", test_time_travel_errors),
             ("back-in-place", test_back_in_place), ("batch-background-save", test_batch_background_save),
             ("batch-auto", test_batch_auto), ("advice-in-place", test_advice_in_place),
             ("unrestorable", test_unrestorable),
             ("soak", test_soak)]
    for name, fn in tests:
        if not selected(name):
            continue
        t0 = time.time()
        try:
            fn()
        except Exception as e:
            report(False, name, "%s: %s" % (type(e).__name__, str(e).splitlines()[0] if str(e) else ""))
            traceback.print_exc()
            print(str(e)[-3000:])
        print("# %s took %.1f s" % (name, time.time() - t0), flush=True)
    test_leftovers()
    return 1 if RESULTS["FAIL"] else 0


def test_packed():
    """Debugging a shared file: a program saved in gdb at a breakpoint inside its private
    library and packed there (`ckpt pack` of the extension); with the library and its debug
    info gone, `ckpt info` of the packed file points gdb at its embedded files, so the core shows
    the saved backtrace with names and lines, and `ckpt restart` of it attaches with the same."""
    tag = "packed"
    src = os.path.join(HERE, "..", "pack")
    libdir = os.path.join(WORK, "packlib")
    os.makedirs(libdir, exist_ok=True)
    lib, exe = os.path.join(libdir, "libstep.so"), os.path.join(WORK, "stepper")
    for argv in (["gcc", "-g", "-O0", "-shared", "-fPIC", "-o", lib, os.path.join(src, "steplib.c")],
                 ["objcopy", "--only-keep-debug", lib, lib + ".debug"], ["strip", "--strip-debug", lib],
                 ["objcopy", "--add-gnu-debuglink=" + lib + ".debug", lib],
                 ["gcc", "-g", "-O0", "-o", exe, os.path.join(src, "stepper.c"), "-L" + libdir, "-lstep",
                  "-Wl,-rpath," + libdir]):
        r = subprocess.run(argv, capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError("%s: %s" % (argv[0], r.stderr))
    notes = os.path.join(WORK, "packnotes.txt")
    with open(notes, "w") as f:
        f.write("packed notes\n")
    saved, packed = os.path.join(WORK, "packsaved.ckpt"), os.path.join(WORK, "packed.ckpt")
    g = start_mi()
    try:
        load_ext(g)
        g.mi("-file-exec-and-symbols " + exe)
        g.mi("-exec-arguments %s %s 8" % (os.path.join(WORK, "packready"), notes))
        g.mi("-break-insert -f -c \"v != 1\" steplib.c:step")
        n = len(g.async_records)
        g.mi("-exec-run")
        rec = g.wait_stopped(60, since=n)
        check(tag + "/stopped-in-library", 'func="step"' in rec, "", rec)
        g.console_cmd("ckpt save " + saved)
        out = g.console_cmd("ckpt pack %s -o %s" % (saved, packed))
        check(tag + "/pack-in-gdb", "Packed %s into %s" % (saved, packed) in out and os.path.exists(packed),
              out.strip().splitlines()[0] if out.strip() else "", out)
        check(tag + "/pack-in-gdb-warns", any("may hold secrets" in line for line in g.log), "")
        g.console_cmd("kill")
    finally:
        g.close()
    for f in (lib, lib + ".debug"):
        os.rename(f, f + ".gone")
    try:
        r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-ex", "ckpt info " + packed,
                            "-ex", "core-file " + packed, "-ex", "echo @@BT\\n", "-ex", "bt"],
                           capture_output=True, text=True, env=ENV, timeout=120)
        bt = r.stdout.split("@@BT", 1)[-1]
        check(tag + "/info-points-gdb-at-embedded-files", "gdb now reads the files embedded in" in r.stdout, "",
              r.stdout + r.stderr)
        check(tag + "/core-backtrace-names-and-lines",
              re.search(r"\bstep \(.*\) at .*steplib\.c:\d", bt) and re.search(r"in main \(.*\) at .*stepper\.c:\d", bt),
              (bt.strip().splitlines() or [""])[0], r.stdout + r.stderr)
        r = subprocess.run([GDB, "-nx", "-q", "-batch", "-iex", "source " + EXT, "-ex", "ckpt restart " + packed,
                            "-ex", "echo @@BT\\n", "-ex", "bt", "-ex", "kill"],
                           capture_output=True, text=True, env=ENV, timeout=120)
        bt = r.stdout.split("@@BT", 1)[-1]
        check(tag + "/restart-backtrace-names-and-lines",
              "Restarted" in r.stdout and re.search(r"\bstep \(.*\) at .*steplib\.c:\d", bt)
              and re.search(r"in main \(.*\) at .*stepper\.c:\d", bt), (bt.strip().splitlines() or [""])[0],
              r.stdout + r.stderr)
        g = start_mi()
        try:
            load_ext(g)
            cls, rest, _ = g.console_cmd("ckpt pack %s -o %s" % (packed, packed + ".again"), allow_error=True)
            one_line_error(tag + "/pack-packed-refused", cls + " " + rest, "packed already")
            cls, rest, _ = g.console_cmd("ckpt pack %s" % packed, allow_error=True)
            one_line_error(tag + "/pack-usage", cls + " " + rest, "usage: ckpt pack FILE -o OUT [--with-files]")
        finally:
            g.close()
    finally:
        for f in (lib, lib + ".debug"):
            os.rename(f + ".gone", f)


def leftover_processes():
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                exe = os.readlink("/proc/%s/exe" % d)
            except OSError:
                continue
            if exe.startswith(WORK + "/"):
                out.append((int(d), exe))
    return out


def test_leftovers():
    """Every program that the tests started or restarted has ended: gdb kills the programs
    that ckpt restarted when it quits, as it kills those it started."""
    time.sleep(0.5)
    left = leftover_processes()
    check("no-leftover-processes", not left, "%d left" % len(left), "\n".join("%d %s" % p for p in left))
    for pid, _ in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


EXES = {}

if __name__ == "__main__":
    try:
        rc = main()
    finally:
        for pid in CHILDREN:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        if os.environ.get("CKPT_KEEP_TEST_DIR"):
            print("# kept " + WORK)
        else:
            shutil.rmtree(WORK, ignore_errors=True)
    print("# gdb tests: %d passed, %d failed" % (RESULTS["PASS"], RESULTS["FAIL"]))
    sys.exit(rc)
