#!/usr/bin/env bash
# Compares Estuary's STOMP gateway with RabbitMQ's STOMP plugin (Debian's rabbitmq-server, rabbitmq_stomp and
# rabbitmq_mqtt enabled) under the same load tool (bench's io.estuary.bench.stomp.StompLoad), on 127.0.0.1 only.
#
#   bench/stomp-compare.sh                       # both scenarios, 3 rounds each, a few minutes
#   MESSAGES=50000 ROUNDS=1 bench/stomp-compare.sh
#
# Scenarios: "stomp" = one publisher SENDs, one STOMP subscriber with ack:client-individual ACKs each MESSAGE
# (prefetch PREFETCH on both: RabbitMQ's prefetch-count header, Estuary's max_unacked); "mqtt" = STOMP SEND ->
# an MQTT 3.1.1 QoS 1 subscriber. Each broker is started on free loopback ports with its own data directory,
# runs both scenarios, and is stopped; every run is bounded by `timeout`. A table side by side with the
# ratio Estuary/RabbitMQ follows (medians of the rounds).
#
# Environment (defaults in brackets):
#   MESSAGES [100000] per round  WARMUP [20000] messages before the rounds  ROUNDS [3]  SIZE [64] body bytes
#   WINDOW [1000] messages the publisher may be ahead of its subscriber  PREFETCH [32]
#   ESTUARY_JAR [gateway-app/target/estuary.jar]  ESTUARY_JAVA_OPTS [-Xms512m -Xmx1g]
#   RABBITMQ_SERVER [/usr/lib/rabbitmq/bin/rabbitmq-server]  OUT [a temp dir] raw RESULT lines and logs
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MESSAGES=${MESSAGES:-100000}
WARMUP=${WARMUP:-20000}
ROUNDS=${ROUNDS:-3}
SIZE=${SIZE:-64}
WINDOW=${WINDOW:-1000}
PREFETCH=${PREFETCH:-32}
ESTUARY_JAR=${ESTUARY_JAR:-$ROOT/gateway-app/target/estuary.jar}
ESTUARY_JAVA_OPTS=${ESTUARY_JAVA_OPTS:-"-Xms512m -Xmx1g"}
RABBITMQ_SERVER=${RABBITMQ_SERVER:-/usr/lib/rabbitmq/bin/rabbitmq-server}
WORK=$(mktemp -d -t stomp-compare.XXXXXX)
OUT=${OUT:-$WORK}
mkdir -p "$OUT"
CLASSES=$WORK/classes
BROKER_PID=
EPMD_PID=

log() { echo "stomp-compare: $*" >&2; }

STOP_WAIT=150 # RabbitMQ takes longer to stop
# shellcheck source=bench/lib/broker.sh
. "$ROOT/bench/lib/broker.sh"

cleanup() {
  stop_broker
  # our own epmd (on its own port, so no other Erlang node's is touched), by its pid
  if [[ -n "$EPMD_PID" ]]; then kill "$EPMD_PID" 2>/dev/null || true; wait "$EPMD_PID" 2>/dev/null || true; fi
  [[ "$OUT" == "$WORK" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$CLASSES"
javac -nowarn -d "$CLASSES" $(find "$ROOT/bench/src/main/java/io/estuary/bench/stomp" -name '*.java')

run_scenarios() { # label stomp_port mqtt_port stomp_dest_of_stomp_scenario stomp_dest_of_mqtt_scenario mqtt_topic
  local label=$1 sport=$2 mport=$3 dest1=$4 dest2=$5 topic=$6 per_run=$(( 120 + MESSAGES * ROUNDS / 1000 ))
  timeout --kill-after=10 "$per_run" java -Xms256m -Xmx512m -cp "$CLASSES" io.estuary.bench.stomp.StompLoad \
    --label "$label" --stomp-port "$sport" --mode stomp --dest "$dest1" --messages "$MESSAGES" --warmup "$WARMUP" \
    --rounds "$ROUNDS" --size "$SIZE" --window "$WINDOW" --prefetch "$PREFETCH" | tee -a "$OUT/results" || \
    echo "RESULT label=$label mode=stomp round=failed" >> "$OUT/results"
  timeout --kill-after=10 "$per_run" java -Xms256m -Xmx512m -cp "$CLASSES" io.estuary.bench.stomp.StompLoad \
    --label "$label" --stomp-port "$sport" --mqtt-port "$mport" --mode mqtt --dest "$dest2" --topic "$topic" \
    --messages "$MESSAGES" --warmup "$WARMUP" --rounds "$ROUNDS" --size "$SIZE" --window "$WINDOW" \
    | tee -a "$OUT/results" || echo "RESULT label=$label mode=mqtt round=failed" >> "$OUT/results"
}
: > "$OUT/results"

# --- RabbitMQ ---
if [[ -x "$RABBITMQ_SERVER" ]]; then
  R=$WORK/rabbitmq
  mkdir -p "$R"
  SPORT=$(free_port); MPORT=$(free_port); APORT=$(free_port); DPORT=$(free_port); EPORT=$(free_port)
  # the Erlang VM needs an epmd: run one in the foreground on a free port instead of the shared 4369 daemon
  epmd -port "$EPORT" > "$OUT/epmd.log" 2>&1 &
  EPMD_PID=$!
  echo "[rabbitmq_stomp,rabbitmq_mqtt]." > "$R/enabled_plugins"
  cat > "$R/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$APORT
stomp.listeners.tcp.1 = 127.0.0.1:$SPORT
mqtt.listeners.tcp.1 = 127.0.0.1:$MPORT
CONF
  (cd "$R" && HOME=$R ERL_EPMD_PORT=$EPORT RABBITMQ_NODENAME="stompcompare$$@localhost" RABBITMQ_DIST_PORT=$DPORT \
    RABBITMQ_MNESIA_BASE=$R/mnesia RABBITMQ_LOG_BASE=$R/log RABBITMQ_CONFIG_FILE=$R/rabbitmq \
    RABBITMQ_ENABLED_PLUGINS_FILE=$R/enabled_plugins RABBITMQ_PLUGINS_EXPAND_DIR=$R/plugins \
    exec "$RABBITMQ_SERVER") > "$OUT/rabbitmq.log" 2>&1 &
  BROKER_PID=$!
  if wait_port "$SPORT" 120 && wait_port "$MPORT" 30; then
    log "RabbitMQ $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null) STOMP on 127.0.0.1:$SPORT, MQTT on :$MPORT"
    # /topic/x is amq.topic with routing key x; the MQTT plugin maps topic a/b to routing key a.b
    run_scenarios rabbitmq "$SPORT" "$MPORT" /topic/bench.s /topic/bench.m bench/m
  else
    log "RabbitMQ did not start, see $OUT/rabbitmq.log"; tail -20 "$OUT/rabbitmq.log" >&2 || true
  fi
  stop_broker
else
  log "skipping RabbitMQ: no $RABBITMQ_SERVER (apt-get install rabbitmq-server)"
fi

# --- Estuary ---
if [[ -f "$ESTUARY_JAR" ]]; then
  E=$WORK/estuary
  mkdir -p "$E"
  SPORT=$(free_port); MPORT=$(free_port)
  cat > "$E/estuary.conf" <<CONF
listeners.tcp.default.bind = "127.0.0.1:$MPORT"
listeners.ssl.default.enable = false
listeners.ws.default.enable = false
listeners.wss.default.enable = false
api.enable = false
persistence.dir = "$E/data"
gateway.mqttsn.enable = false
gateway.coap.enable = false
gateway.lwm2m.enable = false
gateway.tcp.enable = false
gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:$SPORT"
gateway.stomp.listeners.ssl.default.enable = false
gateway.stomp.listeners.ws.default.enable = false
gateway.stomp.max_unacked = $PREFETCH
CONF
  [[ -f "$ROOT/etc/logback.xml" ]] && cp "$ROOT/etc/logback.xml" "$E/logback.xml"
  # shellcheck disable=SC2086 # word splitting of the JVM options is wanted
  (cd "$E" && exec java $ESTUARY_JAVA_OPTS -jar "$ESTUARY_JAR" -c "$E/estuary.conf") > "$OUT/estuary.log" 2>&1 &
  BROKER_PID=$!
  if wait_port "$SPORT" 60; then
    log "Estuary STOMP on 127.0.0.1:$SPORT, MQTT on :$MPORT"
    run_scenarios estuary "$SPORT" "$MPORT" bench/s bench/m bench/m
  else
    log "Estuary did not start, see $OUT/estuary.log"; tail -20 "$OUT/estuary.log" >&2 || true
  fi
  stop_broker
else
  log "skipping Estuary: no $ESTUARY_JAR (mvn -pl gateway-app -am package -DskipTests)"
fi

# --- side by side: medians of the rounds ---
median() { # label mode field
  grep "label=$1 mode=$2 " "$OUT/results" | grep -v "round=warmup" | tr ' ' '\n' | awk -F= -v k="$3" '$1 == k { print $2 }' \
    | sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else print v[int((NR + 1) / 2)] }'
}
total() { # label mode field: sum over the measured rounds
  grep "label=$1 mode=$2 " "$OUT/results" | grep -v "round=warmup" | tr ' ' '\n' | awk -F= -v k="$3" '$1 == k { s += $2; n++ } END { print n ? s : "-" }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
echo
echo "STOMP, ${SIZE} B bodies, ${MESSAGES} messages x ${ROUNDS} rounds after ${WARMUP} warm-up, publisher <= ${WINDOW} ahead, prefetch ${PREFETCH}"
echo
echo "| scenario | RabbitMQ msgs/s | Estuary msgs/s | Estuary/RabbitMQ | lost (R / E) | duplicates (R / E) |"
echo "|---|---|---|---|---|---|"
for mode in stomp mqtt; do
  name=$([[ $mode == stomp ]] && echo "STOMP SEND -> STOMP sub, client-individual ACKs" || echo "STOMP SEND -> MQTT QoS 1 sub")
  r=$(median rabbitmq $mode rate); e=$(median estuary $mode rate)
  echo "| $name | $r | $e | $(ratio "$e" "$r") | $(total rabbitmq $mode lost) / $(total estuary $mode lost) | $(total rabbitmq $mode duplicates) / $(total estuary $mode duplicates) |"
done
log "raw results and logs in $OUT"
