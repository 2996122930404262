#!/usr/bin/env bash
# TCP gateway: end-to-end msgs/s and latency of N raw TCP devices speaking EMQX's framing (64-byte DATATRANS →
# tcp/<id>/up) → one MQTT subscriber, next to the same load from N MQTT 3.1.1 QoS 0 publishers → one MQTT
# subscriber, alternating in one run of one in-process Estuary (in-memory store, 127.0.0.1 only).
# Main class io.estuary.bench.tcp.TcpBench.
#
#   bench/tcp-bench.sh                         # 2 rounds × 2 paths × (5 s warm-up + 20 s), about 2 minutes
#   CLIENTS=1000 ROUNDS=3 bench/tcp-bench.sh
#
# Environment (defaults in brackets):
#   CLIENTS [100] devices / publishers, one socket each   THREADS [2] load threads   WINDOW [1000] messages
#   between sent and arrived at the subscriber   SIZE [64] payload bytes (>= 8: the send time)
#   DURATION [20s] WARMUP [5s] ROUNDS [2]   JAVA_OPTS [-Xms1g -Xmx1g]   TIMEOUT [900] seconds for the whole run
#
# Prints a RESULT line per case, a markdown table and the TCP/MQTT ratios.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ESTUARY_JAR=$ROOT/gateway-app/target/estuary.jar
CLASSES=$ROOT/bench/target/tcp-bench-classes
log() { echo "tcp-bench: $*" >&2; }

cd "$ROOT"
# the shaded jar holds proto-tcp and every other module (package, never install: ~/.m2 stays untouched)
[[ -f "$ESTUARY_JAR" && -d proto-tcp/target/classes ]] || mvn -q -o -pl gateway-app -am package -DskipTests
CP=proto-tcp/target/classes:bench/target/classes:$ESTUARY_JAR
mkdir -p "$CLASSES"
javac -nowarn -d "$CLASSES" -cp "$CP" bench/src/main/java/io/estuary/bench/InProcessGateway.java \
  $(find bench/src/main/java/io/estuary/bench/tcp -name '*.java')

ARGS=(--clients "${CLIENTS:-100}" --threads "${THREADS:-2}" --window "${WINDOW:-1000}" --size "${SIZE:-64}"
      --duration "${DURATION:-20s}" --warmup "${WARMUP:-5s}" --rounds "${ROUNDS:-2}")
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g"}
log "java $JAVA_OPTS -cp $CLASSES:$CP io.estuary.bench.tcp.TcpBench ${ARGS[*]}"
# shellcheck disable=SC2086
exec timeout --kill-after=10 "${TIMEOUT:-900}" java $JAVA_OPTS \
  -cp "$CLASSES:$CP" io.estuary.bench.tcp.TcpBench "${ARGS[@]}"
