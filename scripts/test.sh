#!/usr/bin/env bash
# The test command: the engine's tests, then the whole Maven build with every Java test (the UI
# tests in a real workbench under Xvfb). Extra arguments go to Maven. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/lib/env.sh
. scripts/lib/env.sh

ckpt_ensure_packages "${CKPT_TEST_NEEDS[@]}"
ckpt_require_commands make gcc gdb eu-stack mkfs.xfs xvfb-run Xvfb xauth dbus-launch node npm clang lldb debootstrap capsh
ckpt_find_java
ckpt_report_tools

echo "== set-up checks: scripts/tests/setup.sh"
setup_log=$(mktemp)
native_log=$(mktemp)
trap 'rm -f "$native_log" "$setup_log"' EXIT
bash scripts/tests/setup.sh 2>&1 | tee "$setup_log"

echo "== engine tests: make -C native test"
make -C native test 2>&1 | tee "$native_log"

echo "== Maven build and Java tests under Xvfb: ./mvnw -B verify $*"
status=0
rm -rf bundles/*/target/surefire-reports # count only what this run reports
xvfb-run -a -s "-screen 0 1280x1024x24" ./mvnw -B verify "$@" || status=$?

# One closing line for both kinds of tests. Engine tests print PASS/FAIL lines; the Java counts
# come from the surefire reports that this run wrote.
native_pass=$(cat "$native_log" "$setup_log" | grep -c '^PASS' || true)
native_fail=$(cat "$native_log" "$setup_log" | grep -c '^FAIL' || true)
java_tests=0 java_bad=0 java_skipped=0
for report in bundles/*/target/surefire-reports/TEST-*.xml; do
	[ -f "$report" ] || continue
	line=$(grep -m 1 -o '<testsuite [^>]*>' "$report")
	attr() { echo "$line" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
	java_tests=$((java_tests + $(attr tests)))
	java_bad=$((java_bad + $(attr failures) + $(attr errors)))
	java_skipped=$((java_skipped + $(attr skipped)))
done
java_pass=$((java_tests - java_bad - java_skipped))
echo "engine: $native_pass passed, $native_fail failed"
echo "java: $java_pass passed, $java_bad failed, $java_skipped skipped"
if [ "$status" -eq 0 ] && [ "$java_tests" -eq 0 ]; then
	echo "error: the Maven build ran no Java test" >&2
	status=1
fi
echo "tests: $((native_pass + java_pass)) passed, $((native_fail + java_bad)) failed, $java_skipped skipped"
exit "$status"
