#!/usr/bin/env bash
# Heap held by MQTT connections whose reading is paused (issue #13), on 127.0.0.1 only: a client that sends
# requests and never reads makes the gateway pause reading from it (its answers fill the outbound buffer); what the
# gateway then holds per such connection — the answers it could not write, and what it had read — is measured for
# two gateway jars in ONE run, one after the other: each is started (MQTT listener only, defaults otherwise), its heap
# is read after a full GC (jcmd GC.run, then GC.heap_info's "used"), CONNECTIONS clients (bench's
# PausedReadClients: PACKET requests, nothing read, until the gateway stops reading from each) connect and flood,
# and the heap is read again after a full GC. Prints one table: heap before and with the paused connections, and
# per connection. Heap only: what Netty holds in its pooled direct buffers (the answers it could not write, the
# bytes it read and holds) is not in it.
#
#   BEFORE_JAR=/tmp/before/gateway-app/target/estuary.jar bench/paused-read-heap.sh     # about 1 minute
#
# Environment (defaults in brackets): BEFORE_JAR (required)  AFTER_JAR [gateway-app/target/estuary.jar]
#   CONNECTIONS [40]  PACKET [pingreq] or publish (QoS 1, 4-byte payload, each answered by a PUBACK)  JAVA_OPTS [-Xms256m -Xmx1g]  OUT [a temp dir] the gateways' logs and the clients' output
# Needs: mvn -q -o -pl gateway-app,bench -am package -DskipTests   (estuary.jar, flood-bench.jar); jcmd (the JDK)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BEFORE_JAR=${BEFORE_JAR:?set BEFORE_JAR to the estuary.jar to compare against}
AFTER_JAR=${AFTER_JAR:-$ROOT/gateway-app/target/estuary.jar}
CONNECTIONS=${CONNECTIONS:-40}
PACKET=${PACKET:-pingreq}
JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx1g"}
TOOL_JAR=$ROOT/bench/target/flood-bench.jar

log() { echo "paused-read-heap: $*" >&2; }

# shellcheck source=bench/lib/broker.sh
. "$ROOT/bench/lib/broker.sh"
bench_work paused-read-heap
CLIENTS_PID=

for f in "$BEFORE_JAR" "$AFTER_JAR" "$TOOL_JAR"; do
  [[ -f "$f" ]] || { log "missing $f; build first: mvn -q -o -pl gateway-app,bench -am package -DskipTests"; exit 2; }
done

heap_used() { # after a full GC, in bytes
  jcmd "$BROKER_PID" GC.run > /dev/null
  jcmd "$BROKER_PID" GC.heap_info | awk '!/Metaspace|class space/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?$/, "", v); sum += v } } END { print sum * 1024 }'
}

ROWS=()
measure() { # label jar
  local port dir base held per; port=$(free_port); dir=$WORK/$1
  mkdir -p "$dir"
  {
    echo "listeners.tcp.default.bind = \"127.0.0.1:$port\""
    for l in ssl ws wss; do echo "listeners.$l.default.enable = false"; done
    echo "api.enable = false"
    for g in mqttsn coap lwm2m tcp stomp; do echo "gateway.$g.enable = false"; done
  } > "$dir/estuary.conf"
  # shellcheck disable=SC2086 # word splitting of the JVM options is wanted
  (cd "$dir" && exec java $JAVA_OPTS -jar "$2" -c "$dir/estuary.conf") >> "$OUT/$1.log" 2>&1 &
  BROKER_PID=$!
  if ! wait_port "$port" 60; then log "$1: the gateway did not start"; stop_broker; return; fi
  base=$(heap_used)
  java -cp "$TOOL_JAR" io.estuary.bench.mqtt.PausedReadClients 127.0.0.1 "$port" "$CONNECTIONS" "$PACKET" > "$OUT/$1.clients" 2>&1 &
  CLIENTS_PID=$!
  for _ in $(seq 1800); do grep -q '^PAUSED' "$OUT/$1.clients" && break; kill -0 "$CLIENTS_PID" 2>/dev/null || break; sleep 0.1; done
  if ! grep -q '^PAUSED' "$OUT/$1.clients"; then log "$1: the clients did not finish, see $OUT/$1.clients"; fi
  held=$(heap_used)
  per=$(( (held - base) / CONNECTIONS ))
  ROWS+=("| $1 | $(( base / 1024 )) KiB | $(( held / 1024 )) KiB | $(( per / 1024 )) KiB | $(awk '/^PAUSED/ { printf "%d", $3 / $2 / 1024 }' "$OUT/$1.clients") KiB |")
  kill "$CLIENTS_PID" 2>/dev/null || true
  wait "$CLIENTS_PID" 2>/dev/null || true
  CLIENTS_PID=
  stop_broker
}

measure before "$BEFORE_JAR"
measure after "$AFTER_JAR"

echo
echo "$CONNECTIONS MQTT connections sending $PACKET packets and never reading, each until the gateway stopped reading from it;" \
  "heap used after a full GC (jcmd GC.run); load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| gateway | heap, no client | heap, $CONNECTIONS paused connections | per paused connection | request bytes each sent before the gateway stopped reading |"
echo "|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
echo
log "logs in $OUT"
