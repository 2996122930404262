#!/usr/bin/env bash
# kill -9 durability stress: SIGKILLs the packaged gateway at random points while QoS 1 and QoS 2
# publishers stream to offline persistent subscribers, restarts it on the same store and counts
# acknowledged messages that were lost or (QoS 2) duplicated. Loopback only, temp dir.
#
#   bench/kill-stress.sh                      # 20 kills, sync = interval
#   bench/kill-stress.sh --kills 50 --sync always --seed 42
#
# Needs gateway-app/target/estuary.jar (the gateway under test, and on the class path for Netty's MQTT
# codec and picocli) and the bench classes:
#   mvn -q -o -pl gateway-app,bench package -DskipTests
# Exit code 0 = nothing lost, 3 = lost/duplicated/out of order (see the RESULT line).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JAR=gateway-app/target/estuary.jar
[[ -f "$JAR" && -d bench/target/classes ]] || { echo "kill-stress: build first: mvn -q -o -pl gateway-app,bench package -DskipTests" >&2; exit 2; }
exec java -cp "bench/target/classes:$JAR" io.estuary.bench.durability.KillStress --jar "$JAR" "$@"
