#!/usr/bin/env bash
# Flood benchmark (issue #13): starts the packaged gateway (gateway-app/target/estuary.jar) on 127.0.0.1 with
# the defaults (+ EXTRA_CONF), then in ONE run: 100 well-behaved MQTT-SN clients publish QoS 1 at 1,000 msgs/s in
# total to one MQTT subscriber (hivemq-mqtt-client), first alone (the no-flood baseline), then for 60 s beside a
# flood from many loopback source addresses (127.1.x.y: spoofed-style MQTT-SN CONNECTs, garbage datagrams, CoAP
# requests, as fast as the machine allows); then waits for the flood's sessions to go. Prints one table: flood
# rate, good msgs sent/acked/lost, p99 no-flood vs flood, max heap, whether the gateway died, time for the
# flood's sessions to go, and the issue's goals met or not; then each gateway thread's CPU and run-queue wait during
# the flood (Linux schedstat). Main class io.estuary.bench.flood.FloodBench.
#
#   bench/flood-bench.sh                                       # about 4-5 minutes
#   EXTRA_CONF=my-limits.conf DURATION=30s bench/flood-bench.sh
#   bench/flood-bench.sh --mix connect=100,garbage=0,coap=0    # extra arguments go to the tool (--help)
#
# Builds nothing; needs   mvn -q -o -pl gateway-app,bench -am package -DskipTests   (estuary.jar, flood-bench.jar)
#
# Environment (defaults in brackets):
#   JAR [gateway-app/target/estuary.jar] the gateway jar (e.g. one built from another commit, for a before/after)
#   JAVA_OPTS [-Xms256m -Xmx1g -XX:MetaspaceSize=128m] the gateway's JVM: what bin/estuary and etc/estuary.service run by default
#   EXTRA_CONF [] a HOCON file appended to the generated config (e.g. the limits under test)
#   BASELINE [30s] no-flood phase   DURATION [60s] flood phase   WARMUP [5s]   CLIENTS [100]   RATE [1000] msgs/s
#   FLOOD_THREADS [2]  ADDRESSES [65536] flood source addresses   MIX [connect=50,garbage=25,coap=25]
#               (also promote=N: a blind spoofer's CONNECT clean 0 keepalive 65535 + PINGREQ from one address)
#   BACKGROUND_RATE [0] picks/s of the same mix during the warm-up and the no-flood phase, stopped when the flood
#               starts: the flood then meets compiled code, as in a gateway in service; 0 = a freshly started JVM
#   BACKGROUND_UNTIL [flood] flood = the background runs until the flood starts; baseline = it stops when the warm-up
#               ends (the no-flood phase then measured without it: a background fast enough for C2 to compile the
#               flood's paths, e.g. BACKGROUND_RATE=2000 WARMUP=30s, also slows the good clients while it runs)
#   BACKGROUND_GAP [0s] with BACKGROUND_UNTIL=baseline, the good clients go on this long after the background
#               stops, unmeasured, so the background's sessions have expired before the no-flood phase (95s with the
#               defaults; BACKGROUND_RATE=1000000 BACKGROUND_UNTIL=baseline BACKGROUND_GAP=95s WARMUP=30s: a gateway
#               that met such a flood before, its JIT compiled for it)
#   FLOOD_NICE [0] the load tool's flood threads run at this nice (renice, unprivileged), e.g. 19: on the tool's CPU
#               they then yield to its good clients and subscriber when these wake, as senders on other machines
#               would (bench/sched-floor/sched-floor.sh: a thread woken beside busy threads of equal nice can wait
#               for the next 4 ms scheduler tick or more); no effect on the p99 ratio was measured (BENCHMARKS.md,
#               wave 19)
#   FLOOD_RATE [0] picks per second over all flood threads, 0 = as fast as the machine allows
#   FLOOD_KEEPALIVE [30] s, of the flood's CONNECTs that have one (half have 0)   GONE_WAIT [120s]
#   MIN_KEEPALIVE [60s] the gateway's gateway.mqttsn.min_keepalive (set it when EXTRA_CONF changes it): what the
#               flood's keepalive-0 CONNECTs get, for the "gone within one keepalive" goal
#   BENCH_JAVA_OPTS [-Xms256m -Xmx512m] the load tool's JVM   OUT [a temp dir] config, gateway log, result
#   TIMEOUT [900] seconds for the load tool
#   PIN [split] split = the gateway on the first GATEWAY_CPUS CPUs and the load tool on the others (taskset), as
#               when the flood comes from another machine over the network: it takes none of the gateway's CPU;
#               none = both share every CPU (the flood's senders then also starve the gateway of CPU, which a network
#               flood does not)
#   GATEWAY_CPUS [1] with PIN=split, how many CPUs the gateway gets (CPUs 0..n-1); the load tool needs at least one
#               more (on a one-CPU gateway the flood saturates that CPU: BENCHMARKS.md, wave 17)
# Exit code: the load tool's (0 = it completed; the goals are in the table), 2 = not built / gateway did not start.
set -uo pipefail
# The whole script is one compound command, so bash reads it all before running any of it: editing this file
# while a run is going (a git checkout, an editor) cannot change what that run executes next.
{

ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAR=${JAR:-$ROOT/gateway-app/target/estuary.jar}
BENCH_JAR=$ROOT/bench/target/flood-bench.jar
log() { echo "flood-bench: $*" >&2; }

for f in "$JAR" "$BENCH_JAR"; do
  [[ -f "$f" ]] || { log "missing $f; build first: mvn -q -o -pl gateway-app,bench -am package -DskipTests"; exit 2; }
done
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/flood-bench.XXXXXX")}
mkdir -p "$OUT"
CONF=$OUT/estuary.conf
cat > "$CONF" <<EOF
node.name = "flood-bench@127.0.0.1"
node.shutdown_grace = 5s
listeners.tcp.default.bind = "127.0.0.1:0"
listeners.ssl.default.enable = false
listeners.ws.default.bind = "127.0.0.1:0"
listeners.wss.default.enable = false
api.bind = "127.0.0.1:0"
gateway.mqttsn.listeners.udp.default.bind = "127.0.0.1:0"
gateway.coap.listeners.udp.default.bind = "127.0.0.1:0"
gateway.lwm2m.listeners.udp.default.bind = "127.0.0.1:0"
gateway.stomp.listeners.tcp.default.bind = "127.0.0.1:0"
gateway.stomp.listeners.ssl.default.enable = false
gateway.stomp.listeners.ws.default.bind = "127.0.0.1:0"
gateway.tcp.listeners.tcp.default.bind = "127.0.0.1:0"
gateway.tcp.listeners.ssl.default.enable = false
persistence.dir = "$OUT/data"
api.bootstrap_file = "$OUT/api-keys"
EOF
# an API key for the tool (the flood's sessions left, by keepalive, from the client listing)
API_KEY="flood-bench:$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "$API_KEY" > "$OUT/api-keys"
chmod 600 "$OUT/api-keys"
if [[ -n "${EXTRA_CONF:-}" ]]; then
  [[ -f "$EXTRA_CONF" ]] || { log "EXTRA_CONF $EXTRA_CONF: no such file"; exit 2; }
  { echo "# --- EXTRA_CONF $EXTRA_CONF"; cat "$EXTRA_CONF"; } >> "$CONF"
fi

JAVA_OPTS=${JAVA_OPTS:-"-Xms256m -Xmx1g -XX:MetaspaceSize=128m"}
PIN=${PIN:-split}
GW_CPUS=(); TOOL_CPUS=()
NCPU=$(nproc)
if [[ "$PIN" == split ]]; then
  GATEWAY_CPUS=${GATEWAY_CPUS:-1}
  if (( GATEWAY_CPUS >= 1 && NCPU > GATEWAY_CPUS )) && command -v taskset >/dev/null; then
    GW_CPUS=(taskset -c "0-$((GATEWAY_CPUS - 1))"); TOOL_CPUS=(taskset -c "$GATEWAY_CPUS-$((NCPU - 1))")
  else
    log "PIN=split needs GATEWAY_CPUS ($GATEWAY_CPUS) + 1 CPUs and taskset; running unpinned"; PIN=none
  fi
fi
log "CPUs: $NCPU, PIN=$PIN${GW_CPUS[*]:+ (gateway: ${GW_CPUS[*]}, load tool: ${TOOL_CPUS[*]})}"
GWLOG=$OUT/gateway.log
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "gateway: java $JAVA_OPTS -jar $JAR -c $CONF (log $GWLOG)"
# shellcheck disable=SC2086
"${GW_CPUS[@]}" java $JAVA_OPTS -Destuary.home="$OUT" -jar "$JAR" -c "$CONF" > "$GWLOG" 2>&1 &
GW_PID=$!
stop_gateway() {
  [[ -n "${NICE_PID:-}" ]] && kill "$NICE_PID" 2>/dev/null
  if kill -0 "$GW_PID" 2>/dev/null; then
    kill "$GW_PID" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$GW_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$GW_PID" 2>/dev/null
  fi
}
trap stop_gateway EXIT

for _ in $(seq 1 900); do
  grep -q "Estuary started" "$GWLOG" 2>/dev/null && break
  kill -0 "$GW_PID" 2>/dev/null || break
  sleep 0.1
done
if ! grep -q "Estuary started" "$GWLOG"; then
  log "the gateway did not start; its log:"; tail -50 "$GWLOG" >&2; exit 2
fi
port() { grep -m1 -oE "listener $1 on [0-9.]+:[0-9]+" "$GWLOG" | grep -oE '[0-9]+$'; }
MQTT_PORT=$(port "mqtt tcp:default")
MQTTSN_PORT=$(port "mqttsn udp:default")
COAP_PORT=$(port "coap udp:default")
API_PORT=$(port "http api")
log "gateway pid $GW_PID: mqtt $MQTT_PORT, mqtt-sn $MQTTSN_PORT, coap ${COAP_PORT:-none}, api ${API_PORT:-none}"

ARGS=(--mqtt-port "$MQTT_PORT" --mqttsn-port "$MQTTSN_PORT" --coap-port "${COAP_PORT:-0}" --api-port "${API_PORT:-0}"
      --pid "$GW_PID" --clients "${CLIENTS:-100}" --rate "${RATE:-1000}" --warmup "${WARMUP:-5s}"
      --baseline "${BASELINE:-30s}" --duration "${DURATION:-60s}" --flood-threads "${FLOOD_THREADS:-2}" --flood-rate "${FLOOD_RATE:-0}"
      --addresses "${ADDRESSES:-65536}" --background-rate "${BACKGROUND_RATE:-0}" --background-until "${BACKGROUND_UNTIL:-flood}" --background-gap "${BACKGROUND_GAP:-0s}" --mix "${MIX:-connect=50,garbage=25,coap=25}"
      --flood-keepalive "${FLOOD_KEEPALIVE:-30}" --gone-wait "${GONE_WAIT:-120s}" --api-key "$API_KEY"
      --min-keepalive "${MIN_KEEPALIVE:-60s}")
BENCH_JAVA_OPTS=${BENCH_JAVA_OPTS:-"-Xms256m -Xmx512m"}
log "java $BENCH_JAVA_OPTS -jar $BENCH_JAR ${ARGS[*]} $*"
# Where the gateway's CPU goes during the flood: each thread's CPU time, run-queue wait and times run
# (/proc/<pid>/task/*/schedstat: on-CPU ns, waiting-to-run ns, time slices) from the flood's start to its end,
# read when the tool logs them.
threads() { for t in /proc/"$GW_PID"/task/*; do
  echo "${t##*/} $(tr ' ' _ < "$t/comm" 2>/dev/null) $(cat "$t/schedstat" 2>/dev/null)"; done | awk 'NF == 5' | LC_ALL=C sort; }
watch_threads() {
  local a=$OUT/threads-flood-start.txt b=$OUT/threads-flood-end.txt t0 t1
  until grep -q "^flood-bench: flood phase" "$OUT/tool.log" 2>/dev/null; do kill -0 "$GW_PID" 2>/dev/null || return; sleep 0.2; done
  threads > "$a"; t0=$(date +%s.%N)
  until grep -q "^flood-bench: flood stopped" "$OUT/tool.log" 2>/dev/null; do kill -0 "$GW_PID" 2>/dev/null || return; sleep 0.2; done
  threads > "$b"; t1=$(date +%s.%N)
  LC_ALL=C join "$a" "$b" | awk -v t0="$t0" -v t1="$t1" '
    { name = $2; sub(/[-#]?[0-9]+$/, "", name); cpu[name] += ($7 - $3) / 1e9; wait[name] += ($8 - $4) / 1e9
      runs[name] += $9 - $5 }
    END { span = t1 - t0
          printf "\nGateway threads during the flood (%.1f s; CPU and run-queue wait from schedstat, threads of one name summed):\n\n", span
          print "| thread | CPU, s | share of one CPU | waited to run, s | times run | mean wait per run, ms |"
          print "|---|---:|---:|---:|---:|---:|"; fflush()
          cmd = "sort -t\"|\" -k3 -rn"
          for (n in cpu) if (cpu[n] >= 0.005 * span) printf "| %s | %.2f | %.1f %% | %.2f | %d | %.3f |\n", n, cpu[n],
            100 * cpu[n] / span, wait[n], runs[n], (runs[n] > 0 ? 1000 * wait[n] / runs[n] : 0) | cmd
          close(cmd) }' \
    > "$OUT/threads.md"
}
watch_threads &
WATCH_PID=$!
# The flood's sender threads (flood-N, the background's too) at FLOOD_NICE, as they appear; each thread reniced is
# listed in $OUT/reniced.txt (the footer counts them). The watcher runs on the tool's CPUs, off the gateway's.
FLOOD_NICE=${FLOOD_NICE:-0}
RENICED=$OUT/reniced.txt
: > "$RENICED"
nice_flood() {
  local tool="" t c
  [[ ${#TOOL_CPUS[@]} -gt 0 ]] && taskset -p -c "${TOOL_CPUS[2]}" "$BASHPID" >/dev/null
  while [[ -z "$tool" ]]; do
    tool=$(pgrep -n -u "$(id -u)" -f -- "^java .*-jar $BENCH_JAR") || sleep 0.2
    kill -0 "$GW_PID" 2>/dev/null || return
  done
  declare -A done_tids=()
  while kill -0 "$tool" 2>/dev/null; do
    for t in /proc/"$tool"/task/*; do
      [[ -n "${done_tids[${t##*/}]:-}" ]] && continue
      c=""; read -r c < "$t/comm" 2>/dev/null
      if [[ "$c" == flood-* ]]; then
        done_tids[${t##*/}]=1
        if renice -n "$FLOOD_NICE" -p "${t##*/}" >/dev/null 2>&1; then
          echo "${t##*/} $c" >> "$RENICED"
        else
          log "renice -n $FLOOD_NICE of the tool's thread $c failed"
        fi
      fi
    done
    sleep 0.5
  done
}
if [[ "$FLOOD_NICE" != 0 ]]; then nice_flood & NICE_PID=$!; fi
# shellcheck disable=SC2086
timeout --kill-after=10 "${TIMEOUT:-900}" "${TOOL_CPUS[@]}" java $BENCH_JAVA_OPTS -jar "$BENCH_JAR" "${ARGS[@]}" "$@" \
  2> >(tee "$OUT/tool.log" >&2) | tee "$OUT/result.md"
RC=${PIPESTATUS[0]}
wait "$WATCH_PID" 2>/dev/null
[[ -n "${NICE_PID:-}" ]] && { kill "$NICE_PID" 2>/dev/null; wait "$NICE_PID" 2>/dev/null; }
[[ -s "$OUT/threads.md" ]] && tee -a "$OUT/result.md" < "$OUT/threads.md"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if kill -0 "$GW_PID" 2>/dev/null; then
  GW_STATE="alive (pid $GW_PID)"
else
  wait "$GW_PID"; GW_STATE="**DEAD**, exit code $?"
fi
OOM=$(grep -c "OutOfMemoryError" "$GWLOG")
{
  echo
  echo "Gateway: $GW_STATE at the end; OutOfMemoryError lines in its log: $OOM. JAVA_OPTS: $JAVA_OPTS."
  if [[ "$FLOOD_NICE" != 0 ]]; then
    echo "The load tool's flood threads reniced to $FLOOD_NICE: $(wc -l < "$RENICED") (the flood's and the background's)."
  fi
  echo "CPU pinning: PIN=$PIN${GW_CPUS[*]:+ (gateway: ${GW_CPUS[*]}, load tool: ${TOOL_CPUS[*]})}."
  echo "Load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER; $(nproc) cores."
  [[ $RC -eq 124 || $RC -eq 137 ]] && echo "**The load tool timed out after ${TIMEOUT:-900} s.**"
  echo "Config, gateway log and this result: $OUT"
} | tee -a "$OUT/result.md"
exit "$RC"
}
