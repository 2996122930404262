#!/usr/bin/env bash
# CoAP publish requests/s: Estuary's CoAP gateway (every publish reaching an MQTT subscriber on Estuary)
# side by side with a bare Californium server whose resource only answers 2.04. NON and CON, many client
# endpoints, one JVM, same run, 127.0.0.1 only; then the heap left after each run (after GC, server still
# up) to show that duplicate detection stays bounded.
#
#   bench/coap-compare.sh                                 # ~15 s per case, about 2 minutes in all
#   DURATION=10s CONTRAST_DEDUP=mark_and_sweep bench/coap-compare.sh   # + an unbounded-store contrast
#
# Environment (defaults in brackets):
#   DURATION [15s]  WARMUP [5s]  CLIENTS [32] (one UDP endpoint = one CoAP peer each)
#   WINDOW [4] outstanding requests per client  SIZE [32] payload bytes  TYPES [non,con]
#   DEDUP [peers_mark_and_sweep] Estuary's californium.deduplicator (the bare server runs the same settings)
#   CONTRAST_DEDUP [] another deduplicator run for Estuary only, e.g. mark_and_sweep, to compare heaps
#   ROUNDS [1] repeat every case, bare and Estuary alternating; the table shows medians
#   JAVA_OPTS [-Xms512m -Xmx2g]  TIMEOUT [600] seconds for the whole run
#   BUILD [auto]  auto: build what is missing (proto-coap, cf-support, bench classes; gateway-app's
#                 estuary.jar for the rest of the class path); always: rebuild; never: use what is there
#
# Prints a RESULT line per case and a markdown table (requests/s, MQTT msgs/s, % of bare, heap).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CLIENTS=${CLIENTS:-32}
WINDOW=${WINDOW:-4}
SIZE=${SIZE:-32}
TYPES=${TYPES:-non,con}
ROUNDS=${ROUNDS:-1}
DEDUP=${DEDUP:-peers_mark_and_sweep}
CONTRAST_DEDUP=${CONTRAST_DEDUP:-}
JAVA_OPTS=${JAVA_OPTS:-"-Xms512m -Xmx2g"}
TIMEOUT=${TIMEOUT:-600}
BUILD=${BUILD:-auto}
ESTUARY_JAR=$ROOT/gateway-app/target/estuary.jar

log() { echo "coap-compare: $*" >&2; }

cd "$ROOT"
if [[ "$BUILD" == always || ( "$BUILD" == auto && ! -d proto-coap/target/classes ) ]]; then
  log "building cf-support and proto-coap"
  mvn -q -o -pl cf-support,proto-coap install -DskipTests
fi
if [[ "$BUILD" == always || ( "$BUILD" == auto && ! -f "$ESTUARY_JAR" ) ]]; then
  log "building gateway-app (estuary.jar)"
  mvn -q -o -pl gateway-app package -DskipTests
fi
if [[ "$BUILD" == always || ( "$BUILD" == auto && ! -f bench/target/classes/io/estuary/bench/coap/CoapCompare.class ) ]]; then
  log "compiling bench"
  mvn -q -o -pl bench compile
fi

# our freshest classes first: estuary.jar may hold an older proto-coap
CP=bench/target/classes:proto-coap/target/classes:cf-support/target/classes:$ESTUARY_JAR
ARGS=(--duration "$DURATION" --warmup "$WARMUP" --clients "$CLIENTS" --window "$WINDOW" --size "$SIZE"
      --types "$TYPES" --dedup "$DEDUP" --rounds "$ROUNDS")
[[ -z "$CONTRAST_DEDUP" ]] || ARGS+=(--contrast-dedup "$CONTRAST_DEDUP")
log "java $JAVA_OPTS -cp $CP io.estuary.bench.coap.CoapCompare ${ARGS[*]}"
# shellcheck disable=SC2086
exec timeout --kill-after=10 "$TIMEOUT" java $JAVA_OPTS -cp "$CP" io.estuary.bench.coap.CoapCompare "${ARGS[@]}"
