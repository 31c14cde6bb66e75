"""Time travel in one gdb session, measured (not a test): run by bench/travel.sh.

Steps over a line that writes 1% of a heap, with automatic snapshots off and then at every
suspend, through gdb/MI as CDT drives it, and measures what a user sees: from -exec-next to the
answer of -stack-info-frame after the stop.  Then it measures the disk the snapshots of STEPS
steps take beyond the first, and Go Back (ckpt back) to the frame shown.  Prints one
`figure value` line each."""

import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "gdb"))
from gdbmi import GdbMI  # noqa: E402

ext, exe, src, mib, steps, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
WARM = 5  # steps measured with automatic snapshots off


def step_line():
    with open(src) as f:
        return next(i for i, line in enumerate(f, 1) if "STEP-HERE" in line)


def used_bytes(path):
    os.sync()
    st = os.statvfs(path)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def saves(g):
    text = g.console_cmd("ckpt auto")
    m = re.search(r"(\d+) saved, (\d+) skipped .*?, (\d+) failed", text)
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0)


def wait_saves(g, n):
    """Until n automatic saves are complete (their files written and the clones dropped)."""
    deadline = time.time() + 120
    while time.time() < deadline:
        s = saves(g)
        if s[0] + s[1] + s[2] >= n:
            return s
        g.pump(0.05)
    raise RuntimeError("automatic saves did not complete: %s" % (saves(g),))


def stopped(g, since):
    """Reads gdb's output until a *stopped record after index since, line by line (the test
    driver's wait_for polls in steps of 0.2 s, too coarse to time a step)."""
    deadline = time.time() + 120
    while not any(r.startswith("*stopped") for r in g.async_records[since:]):
        g._classify(g._readline(deadline))


def timed_next(g):
    n = len(g.async_records)
    t = time.perf_counter()
    g.mi("-exec-next")
    stopped(g, n)
    g.mi("-stack-info-frame")
    return time.perf_counter() - t


def to_breakpoint(g):
    n = len(g.async_records)
    g.mi("-exec-continue")
    stopped(g, n)


g = GdbMI("gdb", env=dict(os.environ), cwd=out)
try:
    g.console_cmd("source " + ext)
    g.mi("-file-exec-and-symbols " + exe)
    g.mi("-exec-arguments %d %d" % (mib, WARM + steps + 10))
    g.mi("-break-insert %s:%d" % (os.path.basename(src), step_line()))
    n = len(g.async_records)
    g.mi("-exec-run")
    g.wait_stopped(120, since=n)
    off = []
    for _ in range(WARM):
        off.append(timed_next(g))
        to_breakpoint(g)
    g.console_cmd("ckpt auto suspend " + out)
    before = used_bytes(out)
    on, done, first = [], 0, None
    for k in range(steps):
        on.append(timed_next(g))
        done += 1
        wait_saves(g, done)
        if first is None:
            first = used_bytes(out)
        to_breakpoint(g)
        done += 1
        wait_saves(g, done)
    after = used_bytes(out)
    s = saves(g)
    changed = (mib << 20) // 100
    print("step_off_ms %.1f" % (1000 * statistics.median(off)))
    print("step_auto_ms %.1f" % (1000 * statistics.median(on)))
    print("step_added_ms %.1f" % (1000 * (statistics.median(on) - statistics.median(off))))
    print("saves %d skipped %d failed %d" % s)
    print("first_snapshot_mib %.1f" % ((first - before) / 2**20))
    # Beyond the first snapshot: every later one, 2 per step (the step's end and the
    # breakpoint), against what the steps changed.
    print("disk_beyond_first_mib %.1f" % ((after - first) / 2**20))
    print("changed_mib %.1f" % (steps * changed / 2**20))
    print("disk_per_changed %.2f" % ((after - first) / max(1, steps * changed)))
    g.console_cmd("ckpt auto off")
    back, in_place = [], 0
    for k in range(3):
        n = len(g.async_records)
        t = time.perf_counter()
        out = g.console_cmd("ckpt back" if k % 2 == 0 else "ckpt forward", timeout=300)
        if "in place" in out:
            in_place += 1
            stopped(g, n)  # the stop that shows the frame comes after the command's answer
        g.mi("-stack-info-frame")
        back.append(time.perf_counter() - t)
    print("go_back_ms %.0f" % (1000 * statistics.median(back)))
    print("go_back_in_place %d of %d" % (in_place, len(back)))
finally:
    g.close()
