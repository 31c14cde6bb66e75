#!/bin/bash
# The native test suite: `make -C native test`.  Prints one PASS or FAIL line per check and
# exits non-zero if any check failed.  Each script below is self-contained.
cd "$(dirname "$0")/.." || exit 1
status=0
for script in tests/engine.sh tests/pack.sh tests/malformed/run.sh fuzz/run-fuzz.sh tests/gdb/run.sh; do
	bash "$script" || status=1
done
exit $status
