#!/bin/sh
# Runs the native test suite against build/.
set -eu
cd "$(dirname "$0")/.."
out=$(build/bin/ckpt --version)
case "$out" in "ckpt "*) echo "PASS version: $out" ;; *) echo "FAIL version: $out"; exit 1 ;; esac
