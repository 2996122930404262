#!/usr/bin/env bash
# MQTT-SN: end-to-end msgs/s and latency (MQTT-SN clients over UDP → Estuary → one MQTT subscriber) at QoS 0
# and 1, and the heap per connected and per sleeping idle client, against an in-process Estuary with only the
# MQTT-SN adapter and the in-memory store. 127.0.0.1 only. Main class io.estuary.bench.mqttsn.MqttSnBench.
#
#   bench/mqttsn-bench.sh                                   # both parts, about 3 minutes
#   MODE=footprint IDLE=20000,100000 bench/mqttsn-bench.sh  # heap only
#
# Environment (defaults in brackets):
#   MODE [throughput,footprint]  QOS [0,1]  CLIENTS [100] MQTT-SN clients, one UDP socket each
#   THREADS [2] client threads  WINDOW [1000] messages between sent and arrived at the subscriber
#   QOS1_WINDOW [4] PUBLISHes awaiting PUBACK per client  SIZE [32] payload bytes (>= 8: the send time)
#   DURATION [20s]  WARMUP [5s]  IDLE [20000,100000] idle fleet sizes  LISTENERS [10] gateway UDP listeners
#     (idle clients = sockets x listeners: the gateway keys a connected client by its address, and one
#      process may open only `ulimit -n` sockets)
#   JAVA_OPTS [-Xms1g -Xmx1g]  TIMEOUT [900] seconds for the whole run
#
# Prints a RESULT line per case and a markdown table.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ESTUARY_JAR=$ROOT/gateway-app/target/estuary.jar
CLASSES=$ROOT/bench/target/mqttsn-bench-classes
log() { echo "mqttsn-bench: $*" >&2; }

cd "$ROOT"
[[ -d proto-mqttsn/target/classes && -d cf-support/target/classes ]] || mvn -q -o -pl cf-support,proto-mqttsn install -DskipTests
[[ -f "$ESTUARY_JAR" ]] || mvn -q -o -pl gateway-app package -DskipTests
# our freshest classes first: estuary.jar may hold an older proto-mqttsn
CP=proto-mqttsn/target/classes:cf-support/target/classes:$ESTUARY_JAR
# compile only this package, so the run does not depend on the rest of bench compiling
mkdir -p "$CLASSES"
javac -nowarn -d "$CLASSES" -cp "$CP" $(find bench/src/main/java/io/estuary/bench/mqttsn -name '*.java')

ARGS=(--mode "${MODE:-throughput,footprint}" --qos "${QOS:-0,1}" --clients "${CLIENTS:-100}"
      --threads "${THREADS:-2}" --window "${WINDOW:-1000}" --qos1-window "${QOS1_WINDOW:-4}" --size "${SIZE:-32}"
      --duration "${DURATION:-20s}" --warmup "${WARMUP:-5s}" --idle "${IDLE:-20000,100000}"
      --listeners "${LISTENERS:-10}")
JAVA_OPTS=${JAVA_OPTS:-"-Xms1g -Xmx1g"}
log "java $JAVA_OPTS -cp $CLASSES:$CP io.estuary.bench.mqttsn.MqttSnBench ${ARGS[*]}"
# shellcheck disable=SC2086
exec timeout --kill-after=10 "${TIMEOUT:-900}" java $JAVA_OPTS  \
  -cp "$CLASSES:$CP" io.estuary.bench.mqttsn.MqttSnBench "${ARGS[@]}"
