#!/usr/bin/env bash
# Durable store benchmarks against an in-process gateway on 127.0.0.1 (docs/persistence.md):
#   bench/store-bench.sh                                   # throughput memory/interval/always + 1M recovery
#   bench/store-bench.sh --mode throughput --pairs 4 --duration 10
#   bench/store-bench.sh --mode recovery --sessions 1000 --messages 1000
# Needs: mvn -q -o -pl gateway-app,bench package -DskipTests
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JAR=gateway-app/target/estuary.jar
[[ -f "$JAR" && -d bench/target/classes ]] || { echo "store-bench: build first: mvn -q -o -pl gateway-app,bench package -DskipTests" >&2; exit 2; }
exec java ${STORE_BENCH_JAVA_OPTS:--Xms1g -Xmx3g} -Dlogback.configurationFile=etc/logback.xml \
  -cp "bench/target/classes:$JAR" io.estuary.bench.store.StoreBench "$@"
