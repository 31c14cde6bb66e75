#!/usr/bin/env bash
# The main job: builds everything (engine and Eclipse update site, tests skipped: ./scripts/test.sh
# runs them), then shows the engine version, from the command line tool and through Java (JNA),
# and the path of the update-site zip. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$(readlink -f "$0")")/.."
# shellcheck source=scripts/lib/env.sh
. scripts/lib/env.sh

ckpt_ensure_packages make gcc
ckpt_require_commands make gcc
ckpt_find_java

mkdir -p target
log=target/demo-build.log
echo "building engine and update site (./mvnw -B verify -DskipTests; log: $log) ..."
if ! ./mvnw -B -ntp verify -DskipTests "$@" >"$log" 2>&1; then
	tail -n 60 "$log" >&2
	echo "error: build failed, see $log" >&2
	exit 1
fi

site=releng/io.ckpt.repository/target
zip=$(ls "$site"/io.ckpt.repository-*.zip)
core=$(ls "$site"/repository/plugins/io.ckpt.core_*.jar)
jna=$(ls "$site"/repository/plugins/com.sun.jna_*.jar)

echo "engine, command line: $(native/build/bin/ckpt --version)"
echo "engine, Java (JNA):   $(java --enable-native-access=ALL-UNNAMED -cp "$core:$jna" -Dckpt.home=native/build io.ckpt.core.internal.EngineInfo)"
echo "update site:          $(readlink -f "$zip")"
echo "install it into Eclipse CDT with Help > Install New Software > Add > Archive..."
