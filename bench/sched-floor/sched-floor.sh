#!/usr/bin/env bash
# The scheduler's floor on this machine (BENCHMARKS.md, "Flood", wave 19): a UDP echo on CPU 0 beside K spinning
# threads, its client on CPU 1; one table of round-trip percentiles for K = 0, 1, 2, 4, one and two thread hops, and
# spinners at nice 0, 4 and 19. Needs gcc and 2 CPUs; about 2 minutes. N [5000] requests per row.
set -euo pipefail
DIR=$(cd "$(dirname "$0")" && pwd)
BIN=${TMPDIR:-/tmp}/sched-floor.$$
trap 'rm -f "$BIN"' EXIT
(( $(nproc) >= 2 )) || { echo "sched-floor: needs 2 CPUs" >&2; exit 2; }
gcc -O2 -pthread -o "$BIN" "$DIR/sched-floor.c" -lm
N=${N:-5000}
echo "Kernel $(uname -r), $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| spinners beside the echo | their nice | thread hops | answers | unanswered in 1 s | p50, ms | p99, ms | p99.9, ms | max, ms |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for hops in 1 2; do
  for k in 0 1 2 4; do "$BIN" "$k" "$hops" "$N"; done
  for nice in 4 19; do "$BIN" 4 "$hops" "$N" "$nice"; done
done
