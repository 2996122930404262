#!/usr/bin/env bash
# Before/after: the same MQTT load against two Estuary distributions, interleaved, on 127.0.0.1 only.
#
#   BEFORE_JAR=/tmp/mqtt-before/gateway-app/target/estuary.jar bench/mqtt-before-after.sh
#
# Each round starts the "before" gateway, runs every matrix cell against it, stops it, then does the
# same with the "after" gateway (the order flips every round, so drift of the machine's load hits both
# alike). Both get the same config as mqtt-compare.sh (tcp listener only, API and adapters off,
# mqtt.max_mqueue_len = 100000, default persistence in a fresh directory) and the same
# bench/target/mqtt-load.jar. At the end: per cell and side, the median msgs/s, the median p99 and the
# median cpu/M over the rounds, and the ratios after/before. cpu/M = the gateway process's CPU seconds
# (utime + stime from /proc/<pid>/stat, read when the load tool opens and closes its measurement window,
# as mqtt-compare.sh does) per million messages delivered in that window. Made for a machine shared with other
# work: rerun it, compare ratios, and look at the load average it prints per run.
#
# Environment (defaults in brackets):
#   BEFORE_JAR (required)  AFTER_JAR [gateway-app/target/estuary.jar]  LOAD_JAR [bench/target/mqtt-load.jar]
#   ROUNDS [3]  MATRIX ["1:fan-in 1:fan-out 0:fan-in"] cells "qos:topology[:rate]" as in mqtt-compare.sh
#   DURATION [10s]  WARMUP [5s]  DRAIN [5s]  SIZE [64]  PUBS [4]  SUBS [4]  INFLIGHT [100]  E2E_WINDOW [100]
#   THREADS [1]  JAVA_OPTS [-Xms512m -Xmx2g]  BEFORE_JAVA_OPTS, AFTER_JAVA_OPTS [JAVA_OPTS] one side's JVM options
#   (the same jar on both sides with different options A/Bs a JVM or Netty setting)  OUT [a temp dir] raw RESULT
#   lines and gateway logs
#   EXTRA_CONF [none]  a config file appended to both sides' estuary.conf (e.g. bench/acl-deny-rule.conf,
#   which makes every delivery go through the ACL's deny-rule check: issue #12)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BEFORE_JAR=${BEFORE_JAR:?set BEFORE_JAR to the estuary.jar to compare against}
AFTER_JAR=${AFTER_JAR:-$ROOT/gateway-app/target/estuary.jar}
LOAD_JAR=${LOAD_JAR:-$ROOT/bench/target/mqtt-load.jar}
ROUNDS=${ROUNDS:-3}
MATRIX=${MATRIX:-"1:fan-in 1:fan-out 0:fan-in"}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
DRAIN=${DRAIN:-5s}
SIZE=${SIZE:-64}
PUBS=${PUBS:-4}
SUBS=${SUBS:-4}
INFLIGHT=${INFLIGHT:-100}
E2E_WINDOW=${E2E_WINDOW:-100}
THREADS=${THREADS:-1}
EXTRA_CONF=${EXTRA_CONF:-}
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx2g"}
BEFORE_JAVA_OPTS=${BEFORE_JAVA_OPTS:-$JAVA_OPTS}
AFTER_JAVA_OPTS=${AFTER_JAVA_OPTS:-$JAVA_OPTS}
WORK=$(mktemp -d -t mqtt-before-after.XXXXXX)
OUT=${OUT:-$WORK}
mkdir -p "$OUT"
RESULTS=$OUT/results
: > "$RESULTS"
GW_PID=

log() { echo "mqtt-before-after: $*" >&2; }

stop_gateway() {
  [[ -n "$GW_PID" ]] || return 0
  if kill -0 "$GW_PID" 2>/dev/null; then
    kill "$GW_PID" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$GW_PID" 2>/dev/null && kill -9 "$GW_PID" 2>/dev/null || true
  fi
  wait "$GW_PID" 2>/dev/null || true
  GW_PID=
}

cleanup() {
  stop_gateway
  [[ "$OUT" == "$WORK" ]] || rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for f in "$BEFORE_JAR" "$AFTER_JAR" "$LOAD_JAR"; do
  [[ -f "$f" ]] || { log "missing $f (mvn -B -q -DskipTests package)"; exit 1; }
done

seconds_of() { # 10s / 500ms / 2m / 7 -> whole seconds, rounded up
  local v=$1
  case "$v" in
    *ms) echo $(( (${v%ms} + 999) / 1000 )) ;;
    *s) echo "${v%s}" | awk '{ printf "%d", ($1 == int($1)) ? $1 : int($1) + 1 }' ;;
    *m) echo $(( ${v%m} * 60 )) ;;
    *) echo "$v" | awk '{ printf "%d", ($1 == int($1)) ? $1 : int($1) + 1 }' ;;
  esac
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# shellcheck source=bench/lib/cpu-window.sh
. "$ROOT/bench/lib/cpu-window.sh"

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

wait_port() { # port seconds
  for _ in $(seq $(( $2 * 10 ))); do
    port_open "$1" && return 0
    kill -0 "$GW_PID" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

run_side() { # side jar round
  local side=$1 jar=$2 round=$3 port dir opts
  if [[ $side == before ]]; then opts=$BEFORE_JAVA_OPTS; else opts=$AFTER_JAVA_OPTS; fi
  port=$(free_port)
  dir=$WORK/$side-$round
  mkdir -p "$dir"
  {
    echo "listeners.tcp.default.bind = \"127.0.0.1:$port\""
    for l in ssl ws wss; do echo "listeners.$l.default.enable = false"; done
    echo "api.enable = false"
    for g in mqttsn coap lwm2m tcp stomp; do echo "gateway.$g.enable = false"; done
    echo "mqtt.max_mqueue_len = 100000"
    if [[ -n "$EXTRA_CONF" ]]; then cat "$EXTRA_CONF"; fi
  } > "$dir/estuary.conf"
  [[ -f "$ROOT/etc/logback.xml" ]] && cp "$ROOT/etc/logback.xml" "$dir/logback.xml"
  # shellcheck disable=SC2086 # word splitting of the JVM options is wanted
  (cd "$dir" && exec java $opts -jar "$jar" -c "$dir/estuary.conf") > "$OUT/$side-$round.log" 2>&1 &
  GW_PID=$!
  if ! wait_port "$port" 60; then
    log "$side did not start, see $OUT/$side-$round.log"; stop_gateway; return 1
  fi
  local per_run=$(( $(seconds_of "$DURATION") + $(seconds_of "$WARMUP") + $(seconds_of "$DRAIN") + 60 ))
  for cell in $MATRIX; do
    IFS=: read -r qos topics rate <<< "$cell"
    rate=${rate:-0}
    local counts=()
    case "$topics" in
      fan-in) counts=(--publishers "$PUBS" --subscribers 1) ;;
      fan-out) counts=(--publishers 1 --subscribers "$SUBS") ;;
      *) log "unknown topology in cell $cell"; exit 2 ;;
    esac
    local line rc=0 load open close cpum
    WIN=$dir/window.$qos.$topics.$rate; : > "$WIN"
    line=$(timeout "${per_run}s" java -jar "$LOAD_JAR" --host 127.0.0.1 --port "$port" --qos "$qos" \
      --topics "$topics" "${counts[@]}" --size "$SIZE" --duration "$DURATION" --warmup "$WARMUP" \
      --drain "$DRAIN" --rate "$rate" --inflight "$INFLIGHT" --e2e-window "$E2E_WINDOW" --threads "$THREADS" \
      2> >(window_cpu "$GW_PID" >> "$OUT/load.log") | grep '^RESULT ') || rc=$?
    for _ in $(seq 20); do grep -q '^close ' "$WIN" && break; sleep 0.1; done # the reader runs asynchronously
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [[ -n "$line" ]]; then
      open=$(awk '$1 == "open" { print $2; exit }' "$WIN")
      close=$(awk '$1 == "close" { print $2; exit }' "$WIN")
      cpum=$(awk -v a="$open" -v b="$close" -v hz="$(getconf CLK_TCK)" -v r="$(field "$line" msgs_s)" \
        -v t="$(field "$line" seconds)" 'BEGIN { if (a == "" || b == "" || r * t == 0) print ""; else printf "%.2f", (b - a) / hz * 1e6 / (r * t) }')
      line="$line cpu_s_per_m=$cpum"
      echo "$line side=$side round=$round cell=$cell load1=$load" >> "$RESULTS"
      log "round $round $side $cell: $(tr ' ' '\n' <<< "$line" | grep -E '^(msgs_s|p99_us|lost|cpu_s_per_m)=' | tr '\n' ' ')load $load"
    else
      log "round $round $side $cell failed (exit $rc), see $OUT/load.log"
    fi
  done
  stop_gateway
}

field() { tr ' ' '\n' <<< "$1" | awk -F= -v k="$2" '$1 == k { print $2; exit }'; }

log "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for round in $(seq "$ROUNDS"); do
  if (( round % 2 == 1 )); then order="before after"; else order="after before"; fi
  for side in $order; do
    if [[ $side == before ]]; then run_side before "$BEFORE_JAR" "$round" || true; else run_side after "$AFTER_JAR" "$round" || true; fi
  done
done

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print ""; else if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
values() { # side cell key -> one value per round
  grep -F " side=$1 " "$RESULTS" | grep -F " cell=$2 " | while read -r l; do field "$l" "$3"; done
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }

echo
echo "MQTT 3.1.1, ${SIZE} B payloads, ${DURATION} window after ${WARMUP} warm-up, ${ROUNDS} interleaved rounds per side;" \
  "fan-in ${PUBS} pub -> 1 sub, fan-out 1 pub -> ${SUBS} subs, QoS 1 inflight ${INFLIGHT}, end-to-end window ${E2E_WINDOW};" \
  "medians over rounds; p99 in µs; load average (1 min) after each cell: $(grep -o 'load1=[0-9.]*' "$RESULTS" \
  | cut -d= -f2 | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }')"
echo
echo "| QoS | topics | before msgs/s | after msgs/s | after/before | before p99 | after p99 | after/before | before cpu/M | after cpu/M | after/before | before runs (msgs/s) | after runs (msgs/s) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for cell in $MATRIX; do
  IFS=: read -r qos topics rate <<< "$cell"
  bm=$(values before "$cell" msgs_s | median); am=$(values after "$cell" msgs_s | median)
  bp=$(values before "$cell" p99_us | median); ap=$(values after "$cell" p99_us | median)
  bc=$(values before "$cell" cpu_s_per_m | median); ac=$(values after "$cell" cpu_s_per_m | median)
  echo "| $qos | $topics${rate:+ @$rate} | $bm | $am | $(ratio "$am" "$bm") | $bp | $ap | $(ratio "$ap" "$bp") | $bc | $ac | $(ratio "$ac" "$bc") |" \
    "$(values before "$cell" msgs_s | tr '\n' ' ')| $(values after "$cell" msgs_s | tr '\n' ' ')|"
done
echo
log "raw RESULT lines in $RESULTS"
