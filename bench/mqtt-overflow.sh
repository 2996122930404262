#!/usr/bin/env bash
# A subscriber slower than its publishers (issue #18, item 4), on 127.0.0.1 only: what happens to acknowledged QoS 1
# messages when the subscriber's queue fills. In ONE run, one after the other with the same load:
#   mosquitto      max_queued_messages 1000 (its default): drops what does not fit
#   estuary        mqtt.mqueue_overflow = drop_oldest (the default), mqtt.max_mqueue_len = 1000 (the default)
#   estuary        mqtt.mqueue_overflow = backpressure: the publishers' PUBACKs wait for room in the queue
# Load: bench's mqtt-load, QoS 1 fan-in, PUBS publishers as fast as the broker acknowledges them (inflight 100 each,
# no end-to-end window) → 1 subscriber that sends at most SUB_ACK_RATE PUBACKs a second (a slow consumer: the
# broker's inflight window to it stays full and its queue grows). Prints one table: publishers' acknowledged
# msgs/s, the subscriber's msgs/s, acknowledged / received / lost (acknowledged to a publisher, never delivered).
#
#   bench/mqtt-overflow.sh                      # about 1.5 minutes
#   SUB_ACK_RATE=500 DURATION=20s bench/mqtt-overflow.sh
#
# Environment (defaults in brackets): SUB_ACK_RATE [2000]  PUBS [4]  DURATION [10s]  WARMUP [3s]  DRAIN [15s]
#   SIZE [64]  MOSQUITTO [/usr/sbin/mosquitto]  ESTUARY_JAR [gateway-app/target/estuary.jar]
#   ESTUARY_JAVA_OPTS [-Xms512m -Xmx2g]  OUT [a temp dir] raw RESULT lines and the brokers' logs
# Needs: mvn -q -o -pl gateway-app,bench -am package -DskipTests   (estuary.jar, mqtt-load.jar)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUB_ACK_RATE=${SUB_ACK_RATE:-2000}
PUBS=${PUBS:-4}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-3s}
DRAIN=${DRAIN:-15s}
SIZE=${SIZE:-64}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
ESTUARY_JAR=${ESTUARY_JAR:-$ROOT/gateway-app/target/estuary.jar}
ESTUARY_JAVA_OPTS=${ESTUARY_JAVA_OPTS:-"-Xms512m -Xmx2g"}
LOAD_JAR=$ROOT/bench/target/mqtt-load.jar

log() { echo "mqtt-overflow: $*" >&2; }

# shellcheck source=bench/lib/broker.sh
. "$ROOT/bench/lib/broker.sh"
bench_work mqtt-overflow

for f in "$ESTUARY_JAR" "$LOAD_JAR"; do
  [[ -f "$f" ]] || { log "missing $f; build first: mvn -q -o -pl gateway-app,bench -am package -DskipTests"; exit 2; }
done
[[ -x "$MOSQUITTO" ]] || { log "no mosquitto at $MOSQUITTO (apt-get install mosquitto)"; exit 2; }

field() { tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }

ROWS=()
load() { # label port
  local line rc=0
  log "$1: QoS 1 fan-in, $PUBS publishers at full speed -> 1 subscriber acknowledging $SUB_ACK_RATE/s ($DURATION)"
  line=$(timeout 300 java -jar "$LOAD_JAR" --host 127.0.0.1 --port "$2" --qos 1 --topics fan-in --publishers "$PUBS" \
    --subscribers 1 --size "$SIZE" --duration "$DURATION" --warmup "$WARMUP" --drain "$DRAIN" --rate 0 \
    --inflight 100 --e2e-window 0 --sub-ack-rate "$SUB_ACK_RATE" --threads 1 -q 2>> "$OUT/load.log" | grep '^RESULT ') || rc=$?
  if [[ -z "$line" ]]; then
    log "$1: the load tool failed (exit $rc), see $OUT/load.log"
    ROWS+=("| $1 | failed | | | | | |")
    return
  fi
  echo "$1 $line" >> "$OUT/results"
  ROWS+=("| $1 | $(field "$line" pub_msgs_s) | $(field "$line" msgs_s) | $(field "$line" acked) | $(field "$line" received) | $(field "$line" lost) | $(field "$line" p99_us) |")
}

run_mosquitto() {
  local port; port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$port" > "$WORK/mosquitto.conf"
  chmod 755 "$WORK"; chmod 644 "$WORK/mosquitto.conf" # mosquitto drops root for its own user
  "$MOSQUITTO" -c "$WORK/mosquitto.conf" >> "$OUT/mosquitto.log" 2>&1 &
  BROKER_PID=$!
  if wait_port "$port" 10; then load "mosquitto (max_queued_messages 1000)" "$port"; else log "mosquitto did not start"; fi
  stop_broker
}

run_estuary() { # overflow
  local port dir; port=$(free_port); dir=$WORK/estuary-$1
  mkdir -p "$dir"
  {
    echo "listeners.tcp.default.bind = \"127.0.0.1:$port\""
    for l in ssl ws wss; do echo "listeners.$l.default.enable = false"; done
    echo "api.enable = false"
    for g in mqttsn coap lwm2m tcp stomp; do echo "gateway.$g.enable = false"; done
    echo "mqtt.mqueue_overflow = $1"
  } > "$dir/estuary.conf"
  [[ -f "$ROOT/etc/logback.xml" ]] && cp "$ROOT/etc/logback.xml" "$dir/logback.xml"
  # shellcheck disable=SC2086 # word splitting of the JVM options is wanted
  (cd "$dir" && exec java $ESTUARY_JAVA_OPTS -jar "$ESTUARY_JAR" -c "$dir/estuary.conf") >> "$OUT/estuary-$1.log" 2>&1 &
  BROKER_PID=$!
  if wait_port "$port" 60; then load "estuary (mqueue_overflow = $1)" "$port"; else log "Estuary did not start"; fi
  stop_broker
}

run_mosquitto
run_estuary drop_oldest
run_estuary backpressure

echo
echo "QoS 1, $PUBS publishers (inflight 100 each, no end-to-end window) -> 1 subscriber acknowledging at most" \
  "$SUB_ACK_RATE PUBACKs/s, 64 B, ${DURATION} window after ${WARMUP} warm-up, ${DRAIN} drain; queue 1000 messages;" \
  "lost = acknowledged to a publisher, never delivered; load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| broker | publishers' acked msgs/s | subscriber msgs/s | acked | received | lost | p99 µs |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
log "raw results and logs in $OUT"
