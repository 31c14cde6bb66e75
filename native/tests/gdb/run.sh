#!/bin/sh
# Runs the gdb front-door tests (real gdb, real engine) against native/build/.
# Prints PASS/FAIL lines; a missing gdb, python3 or engine is a FAIL, never a skip.
cd "$(dirname "$0")/../.."
if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL gdb/python3-present: python3 is not on PATH"
	exit 1
fi
exec python3 tests/gdb/test_gdb.py build "$@"
