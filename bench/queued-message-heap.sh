#!/usr/bin/env bash
# What one queued message holds in heap, against what mqtt.max_mqueue_total_bytes charges for it (issue #13): bench's
# QueuedMessageHeap in one JVM per case — an in-process gateway with persistence on (the queue's durable copy is in
# RocksDB, off heap), SUBSCRIBERS offline persistent sessions subscribed to one topic, MESSAGES QoS 1 publishes of
# PAYLOAD bytes queued for each of them; used heap after full GCs before and after the publishes, per queued copy,
# beside the budget's gauge per queued copy. Three cases: one subscriber with small and with 1 KB payloads, ten
# subscribers sharing each publish. Prints one RESULT line per case.
#
#   bench/queued-message-heap.sh        # about 1 minute
#
# Needs: mvn -q -o -pl gateway-app,bench -am package -DskipTests (estuary.jar, bench's classes, the testkit's classes)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CP=$ROOT/gateway-app/target/estuary.jar:$ROOT/bench/target/classes:$ROOT/gateway-testkit/target/classes
for f in "$ROOT/gateway-app/target/estuary.jar" "$ROOT/bench/target/classes/io/estuary/bench/mqtt/QueuedMessageHeap.class"; do
  [[ -e "$f" ]] || { echo "missing $f; build first: mvn -q -o -pl gateway-app,bench -am package -DskipTests" >&2; exit 2; }
done
for args in "1 50000 16" "10 10000 16" "1 20000 1000"; do
  # shellcheck disable=SC2086 # the three arguments
  java -Xmx2g -cp "$CP" io.estuary.bench.mqtt.QueuedMessageHeap $args 2>/dev/null | grep '^RESULT'
done
