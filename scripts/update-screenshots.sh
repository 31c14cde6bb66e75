#!/usr/bin/env bash
# Copies the screenshots that README shows from the last UI test run (./scripts/test.sh) into docs/.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
src=bundles/io.ckpt.ui.tests/target/screenshots
for name in snapshots-view.png launch-tab.png preferences.png; do
	if [ ! -f "$src/$name" ]; then
		echo "error: $src/$name is missing: run ./scripts/test.sh first" >&2
		exit 1
	fi
	cp "$src/$name" "docs/$name"
	echo "docs/$name ($(stat -c %s "docs/$name") bytes)"
done
