#!/usr/bin/env bash
# Records gateway-app/src/main/resources/io/estuary/app/start-classes.txt: the classes a start to every listener
# loads, in load order, except those the JDK's own class-data archive already holds. ClassPreloader loads them on a
# background thread at start (issue #19: start-up without an archive). Re-record after a dependency or start-path
# change (a stale list only costs some of the gain: names that no longer exist are skipped):
#   mvn -B -ntp -o -q package -DskipTests && bench/start-classes.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=$(mktemp -t start-classes.XXXXXX)
trap 'rm -f "$LOG"' EXIT
RECORD_CLASSES="$LOG" MODES=plain ROUNDS=1 "$ROOT/bench/startup-time.sh" >&2
OUT="$ROOT/gateway-app/src/main/resources/io/estuary/app/start-classes.txt"
# "[0.123s][info][class,load] a.b.C source: jar:file:…" → a.b.C, first occurrence, not from the shared archive
grep -v 'source: shared objects file' "$LOG" | sed -n 's/^\[[^]]*\]\[info\]\[class,load\] \([^ ]*\) source: .*/\1/p' \
  | grep -v -e '/' -e '\$\$Lambda' -e '^jdk\.internal\.reflect\.Generated' -e '^io\.estuary\.app\.ClassPreloader' \
  | awk '!seen[$0]++' > "$OUT"
echo "start-classes.sh: $(wc -l < "$OUT") classes written to $OUT" >&2
