#!/usr/bin/env bash
# Compares Estuary's MQTT listener with Debian's mosquitto under the same load, on 127.0.0.1 only.
#
#   bench/mqtt-compare.sh                 # the default matrix, ~10 s per cell, a few minutes in all
#   DURATION=5s MATRIX="0:fan-in 1:fan-out" bench/mqtt-compare.sh
#
# For each broker: start it on a free loopback port, run bench's mqtt-load once per matrix cell, stop it.
# Then print one markdown table side by side with the ratios Estuary/mosquitto. Every run is bounded by
# `timeout`; both brokers are stopped on exit, whatever happens.
#
# Environment (defaults in brackets):
#   MATRIX      cells "qos:topology[:rate]", rate = total publish msgs/s, 0 = max
#               ["0:fan-in 1:fan-in 0:fan-out 1:fan-out 0:fan-in:5000 1:fan-in:5000 0:fan-out:5000 1:fan-out:5000"]
#   DURATION [10s]  WARMUP [5s] (the JIT of a JVM broker settles)  DRAIN [5s]  SIZE [64]  PUBS [4] (fan-in)  SUBS [4] (fan-out)
#   INFLIGHT [100] (QoS 1, per publisher)  THREADS [1] (load tool event loops)
#   E2E_WINDOW [100] messages a publisher may be ahead of its slowest subscriber, 0 = unbounded: without
#               it a QoS 0 "max" run measures how deep the broker lets its queues grow, not what it sustains
#   MOSQUITTO [/usr/sbin/mosquitto]  ESTUARY_JAR [gateway-app/target/estuary.jar]
#   MOSQUITTO_CONF_EXTRA ["max_queued_messages 100000"] lines appended to mosquitto's conf; its default
#               of 1000 drops acknowledged QoS 1 messages under this load (2.0.11), set it to "" to see
#   ESTUARY_JAVA_OPTS [-Xms512m -Xmx2g]
#   ESTUARY_CONF_EXTRA ["mqtt.max_mqueue_len = 100000"] HOCON lines appended to Estuary's conf (the same
#               queue depth as mosquitto gets above)
#   ROUNDS [3]  rounds per broker, interleaved (the order flips every round); the table shows medians
#   OUT [a temp dir]  where the raw RESULT lines and the brokers' logs are kept
#
# Besides msgs/s and latency, per cell and broker: cpu/M = the broker process's CPU seconds (utime + stime
# from /proc/<pid>/stat, read when the load tool opens and closes its measurement window) per million
# messages delivered in that window. Per broker and round: start-up time (launch until the port accepts a
# connection) and idle RSS (VmRSS right after start-up, before any load).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MATRIX=${MATRIX:-"0:fan-in 1:fan-in 0:fan-out 1:fan-out 0:fan-in:5000 1:fan-in:5000 0:fan-out:5000 1:fan-out:5000"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
DRAIN=${DRAIN:-5s}
SIZE=${SIZE:-64}
PUBS=${PUBS:-4}
SUBS=${SUBS:-4}
INFLIGHT=${INFLIGHT:-100}
THREADS=${THREADS:-1}
E2E_WINDOW=${E2E_WINDOW:-100}
ROUNDS=${ROUNDS:-3}
MOSQUITTO_CONF_EXTRA=${MOSQUITTO_CONF_EXTRA-max_queued_messages 100000}
MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
ESTUARY_JAR=${ESTUARY_JAR:-$ROOT/gateway-app/target/estuary.jar}
ESTUARY_JAVA_OPTS=${ESTUARY_JAVA_OPTS:-"-Xms512m -Xmx2g"}
ESTUARY_CONF_EXTRA=${ESTUARY_CONF_EXTRA-mqtt.max_mqueue_len = 100000}
LOAD_JAR=$ROOT/bench/target/mqtt-load.jar

log() { echo "mqtt-compare: $*" >&2; }

# shellcheck source=bench/lib/broker.sh
. "$ROOT/bench/lib/broker.sh"
bench_work mqtt-compare

seconds_of() { # 10s / 500ms / 2m / 7 -> whole seconds, rounded up
  local v=$1
  case "$v" in
    *ms) echo $(( (${v%ms} + 999) / 1000 )) ;;
    *s) echo "${v%s}" | awk '{ printf "%d", ($1 == int($1)) ? $1 : int($1) + 1 }' ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *) echo "$v" | awk '{ printf "%d", ($1 == int($1)) ? $1 : int($1) + 1 }' ;;
  esac
}

# shellcheck source=bench/lib/cpu-window.sh
. "$ROOT/bench/lib/cpu-window.sh"

field() { # line key -> value
  tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'
}

run_matrix() { # name port round -> RESULT lines (or "FAILED cell=...") appended to $OUT/<name>.results
  local name=$1 port=$2 round=$3 results=$OUT/$1.results
  local per_run=$(( $(seconds_of "$DURATION") + $(seconds_of "$WARMUP") + $(seconds_of "$DRAIN") + 60 ))
  local hz; hz=$(getconf CLK_TCK)
  for cell in $MATRIX; do
    IFS=: read -r qos topics rate <<< "$cell"
    rate=${rate:-0}
    local counts=()
    case "$topics" in
      fan-in) counts=(--publishers "$PUBS" --subscribers 1) ;;
      fan-out) counts=(--publishers 1 --subscribers "$SUBS") ;;
      pairs) counts=(--publishers "$PUBS" --subscribers "$PUBS") ;;
      *) log "unknown topology in cell $cell"; exit 2 ;;
    esac
    log "$name round $round: qos $qos $topics rate ${rate} (${DURATION})"
    local before after line rc=0 open close delivered window_s
    WIN=$WORK/window.$name.$round; : > "$WIN"
    before=$(cpu_ticks "$BROKER_PID")
    line=$(timeout "${per_run}s" java -jar "$LOAD_JAR" --host 127.0.0.1 --port "$port" --qos "$qos" \
      --topics "$topics" "${counts[@]}" --size "$SIZE" --duration "$DURATION" --warmup "$WARMUP" \
      --drain "$DRAIN" --rate "$rate" --inflight "$INFLIGHT" --e2e-window "$E2E_WINDOW" --threads "$THREADS" \
      2> >(window_cpu "$BROKER_PID" >> "$OUT/$name.load.log") | grep '^RESULT ') || rc=$?
    after=$(cpu_ticks "$BROKER_PID")
    for _ in $(seq 20); do grep -q '^close ' "$WIN" && break; sleep 0.1; done # the reader runs asynchronously
    open=$(awk '$1 == "open" { print $2; exit }' "$WIN")
    close=$(awk '$1 == "close" { print $2; exit }' "$WIN")
    if [[ -n "$line" ]]; then
      # exit 3 = QoS 1 losses: the line says how many, keep it
      delivered=$(awk -v r="$(field "$line" msgs_s)" -v s="$(field "$line" seconds)" 'BEGIN { printf "%.0f", r * s }')
      window_s=$(awk -v a="$open" -v b="$close" -v hz="$hz" 'BEGIN { if (a == "" || b == "") print ""; else printf "%.2f", (b - a) / hz }')
      echo "$line cell=$cell round=$round broker_cpu_s=$(awk -v t=$(( after - before )) -v hz="$hz" 'BEGIN { printf "%.1f", t / hz }')" \
        "window_cpu_s=$window_s cpu_s_per_m=$(awk -v c="$window_s" -v n="$delivered" \
        'BEGIN { if (c == "" || n + 0 == 0) print ""; else printf "%.2f", c * 1e6 / n }')" >> "$results"
    else
      log "$name: cell $cell failed (exit $rc), see $OUT/$name.load.log"
      echo "FAILED cell=$cell round=$round" >> "$results"
    fi
    kill -0 "$BROKER_PID" 2>/dev/null || { log "$name died, see $OUT/$name.log"; return 1; }
  done
}

started() { # name round start_ns -> a STARTED line in $OUT/startup: start-up ms, idle RSS kB
  local ms rss
  ms=$(( ($(date +%s%N) - $3) / 1000000 ))
  rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$BROKER_PID/status" 2>/dev/null || true)
  echo "STARTED broker=$1 round=$2 startup_ms=$ms idle_rss_kb=$rss" >> "$OUT/startup"
  log "$1 round $2: up in $ms ms, idle RSS $rss kB"
}

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"

# --- the load tool ---
if [[ ! -f "$LOAD_JAR" ]]; then
  log "building bench/target/mqtt-load.jar"
  (cd "$ROOT" && mvn -q -o -pl bench package -DskipTests)
fi

# --- the brokers, one after the other, ROUNDS times ---
if [[ ! -x "$MOSQUITTO" ]]; then
  log "no mosquitto at $MOSQUITTO (apt-get install mosquitto)"; exit 1
fi
[[ -f "$ESTUARY_JAR" ]] || log "no $ESTUARY_JAR (build gateway-app first): Estuary's columns stay empty"
: > "$OUT/mosquitto.results"; : > "$OUT/estuary.results"; : > "$OUT/startup"

run_mosquitto() { # round
  local port t0
  port=$(free_port)
  printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n%s\n' "$port" "$MOSQUITTO_CONF_EXTRA" \
    > "$WORK/mosquitto.conf"
  chmod 755 "$WORK"; chmod 644 "$WORK/mosquitto.conf" # mosquitto drops root for its own user
  t0=$(date +%s%N)
  "$MOSQUITTO" -c "$WORK/mosquitto.conf" >> "$OUT/mosquitto.log" 2>&1 &
  BROKER_PID=$!
  if wait_port "$port" 10; then
    started mosquitto "$1" "$t0"
    log "mosquitto $("$MOSQUITTO" -h 2>/dev/null | head -1 | awk '{ print $3 }') on 127.0.0.1:$port (pid $BROKER_PID)"
    run_matrix mosquitto "$port" "$1" || true
  else
    log "mosquitto did not start, see $OUT/mosquitto.log"
  fi
  stop_broker
}

run_estuary() { # round
  [[ -f "$ESTUARY_JAR" ]] || return 0
  local port t0
  port=$(free_port)
  mkdir -p "$WORK/estuary"
  {
    echo "listeners.tcp.default.bind = \"127.0.0.1:$port\""
    # everything else stays off so that nothing binds a default port (or anything but loopback)
    for l in ssl ws wss; do echo "listeners.$l.default.enable = false"; done
    echo "api.enable = false"
    for g in mqttsn coap lwm2m tcp stomp; do echo "gateway.$g.enable = false"; done
    if [[ -n "$ESTUARY_CONF_EXTRA" ]]; then echo "$ESTUARY_CONF_EXTRA"; fi
  } > "$WORK/estuary/estuary.conf"
  # etc/logback.xml: INFO, Netty at WARN (without it the jar logs at DEBUG)
  [[ -f "$ROOT/etc/logback.xml" ]] && cp "$ROOT/etc/logback.xml" "$WORK/estuary/logback.xml"
  t0=$(date +%s%N)
  # shellcheck disable=SC2086 # word splitting of the JVM options is wanted
  (cd "$WORK/estuary" && exec java $ESTUARY_JAVA_OPTS -jar "$ESTUARY_JAR" -c "$WORK/estuary/estuary.conf") \
    >> "$OUT/estuary.log" 2>&1 &
  BROKER_PID=$!
  if wait_port "$port" 60; then
    started estuary "$1" "$t0"
    log "Estuary on 127.0.0.1:$port (pid $BROKER_PID)"
    run_matrix estuary "$port" "$1" || true
  else
    log "Estuary did not start, see $OUT/estuary.log:"; tail -20 "$OUT/estuary.log" >&2 || true
  fi
  stop_broker
}

for round in $(seq "$ROUNDS"); do
  if (( round % 2 == 1 )); then
    run_mosquitto "$round"; run_estuary "$round"
  else
    run_estuary "$round"; run_mosquitto "$round"
  fi
done

# --- side by side: medians over the rounds ---
median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
values() { # name cell key -> one value per round
  grep '^RESULT ' "$OUT/$1.results" 2>/dev/null | grep -F " cell=$2 " | while read -r l; do field "$l" "$3"; done
}
med() { values "$1" "$2" "$3" | grep -v '^$' | median; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
cols() { # name cell -> "msgs/s | p50 | p99 | max | lost | cpu/M"
  printf "%s | %s | %s | %s | %s | %s" "$(med "$1" "$2" msgs_s)" "$(med "$1" "$2" p50_us)" "$(med "$1" "$2" p99_us)" \
    "$(med "$1" "$2" max_us)" "$(values "$1" "$2" lost | paste -sd/ -)" "$(med "$1" "$2" cpu_s_per_m)"
}
startup() { # name key -> median over the rounds
  grep -F "broker=$1 " "$OUT/startup" | while read -r l; do field "$l" "$2"; done | grep -v '^$' | median
}

echo
echo "MQTT 3.1.1, ${SIZE} B payloads, ${DURATION} window after ${WARMUP} warm-up, medians of ${ROUNDS} interleaved rounds;" \
  "fan-in ${PUBS} pub -> 1 sub, fan-out 1 pub -> ${SUBS} subs; rate = total publish msgs/s (max = as fast as possible," \
  "QoS 1 inflight ${INFLIGHT}/publisher, end-to-end window ${E2E_WINDOW}/publisher); msgs/s = received by all" \
  "subscribers; latency in µs; lost = not received by the end of the drain, per round; cpu/M = broker CPU seconds" \
  "per million messages delivered in the window; E/m = Estuary/mosquitto: msgs/s above 1, p99 and cpu/M below 1" \
  "favour Estuary; load average at end $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| QoS | topics | rate | mosquitto msgs/s | p50 | p99 | max | lost | cpu/M | Estuary msgs/s | p50 | p99 | max | lost | cpu/M | msgs/s E/m | p99 E/m | cpu/M E/m |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for cell in $MATRIX; do
  IFS=: read -r qos topics rate <<< "$cell"
  rate_label=${rate:-0}; [[ "$rate_label" == 0 ]] && rate_label=max
  echo "| $qos | $topics | $rate_label | $(cols mosquitto "$cell") | $(cols estuary "$cell") |" \
    "$(ratio "$(med estuary "$cell" msgs_s)" "$(med mosquitto "$cell" msgs_s)") |" \
    "$(ratio "$(med estuary "$cell" p99_us)" "$(med mosquitto "$cell" p99_us)") |" \
    "$(ratio "$(med estuary "$cell" cpu_s_per_m)" "$(med mosquitto "$cell" cpu_s_per_m)") |"
done
echo
echo "| broker | start-up ms | idle RSS MiB |"
echo "|---|---|---|"
for b in mosquitto estuary; do
  rss=$(startup "$b" idle_rss_kb)
  echo "| $b | $(startup "$b" startup_ms) | $(awk -v k="$rss" 'BEGIN { if (k == "") print "-"; else printf "%.1f", k / 1024 }') |"
done
echo
log "raw results and logs in $OUT"
