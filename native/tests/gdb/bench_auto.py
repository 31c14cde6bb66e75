#!/usr/bin/env python3
"""Benchmark, not a test: how much automatic snapshots (ckpt auto suspend) add to a step.

A program touches MIB MiB of heap, then writes 1% of it in each round of a loop; gdb (over MI,
as CDT drives it) stops at the loop's first line and steps with -exec-next 20 times, with
automatic snapshots off and then at every suspend.  Prints the median time from -exec-next to
*stopped of each, and the extension's counts (a stop that comes while the last file is still
being written is saved when it is complete, or skipped when the program has gone on).

Usage: bench_auto.py BUILD_DIR [MIB...]   (default 100 1024)"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, HERE)
from gdbmi import GdbMI  # noqa: E402

PROGRAM = r"""
#include <stdlib.h>
#include <string.h>
int main(int argc, char **argv)
{
	size_t n = (size_t)atol(argv[1]) << 20;
	char *p = malloc(n);
	memset(p, 1, n);
	size_t chunk = n / 100;
	for (int round = 0; round < 1000; round++)
		memset(p + (round % 100) * chunk, round, chunk); /* STEP */
	return p[0];
}
"""


def median_next(ext, exe, mib, mode, out):
    g = GdbMI(args=["--args", exe, str(mib)], cwd=out)
    try:
        g.mi("-gdb-set mi-async on")
        g.console_cmd("source " + ext)
        g.console_cmd("ckpt auto %s %s" % (mode, out))
        line = [i for i, l in enumerate(PROGRAM.splitlines(), 0) if "STEP" in l][0]
        g.mi("-break-insert prog.c:%d" % line)
        n = len(g.async_records)
        g.mi("-exec-run")
        g.wait_stopped(300, since=n)
        g.pump(2)
        times = []
        for _ in range(20):
            t = time.time()
            g.mi("-exec-next")
            while not g._readline_classified(time.time() + 300).startswith("*stopped"):
                pass
            times.append((time.time() - t) * 1000)
            time.sleep(0.3)  # a user looks at the stop
        return sorted(times)[len(times) // 2], g.console_cmd("ckpt auto").strip()
    finally:
        g.close()


def _readline_classified(self, deadline):
    line = self._readline(deadline)
    self._classify(line)
    return line


GdbMI._readline_classified = _readline_classified


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "build"))
    ext = os.path.join(build, "share", "ckpt", "ckpt-gdb.py")
    sizes = [int(a) for a in sys.argv[2:]] or [100, 1024]
    work = tempfile.mkdtemp(prefix="ckpt-bench-auto.")
    try:
        src = os.path.join(work, "prog.c")
        with open(src, "w") as f:
            f.write(PROGRAM)
        exe = os.path.join(work, "prog")
        subprocess.run(["gcc", "-g", "-O0", "-o", exe, src], check=True)
        for mib in sizes:
            res = {}
            for mode in ("off", "suspend"):
                out = os.path.join(work, "%s-%d" % (mode, mib))
                os.mkdir(out)
                res[mode] = median_next(ext, exe, mib, mode, out)
                shutil.rmtree(out)
            print("%d MiB, 1%% written per step: median next %.1f ms without, %.1f ms with automatic snapshots (+%.1f ms); %s"
                  % (mib, res["off"][0], res["suspend"][0], res["suspend"][0] - res["off"][0], res["suspend"][1]),
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
