#!/usr/bin/env bash
# Uplink benchmarks: Estuary (in this JVM) -> uplink -> a local mosquitto on 127.0.0.1 (docs/uplink.md):
#   bench/uplink-bench.sh                                  # forward QoS 0 + 1 (300k each) and a 1M backlog drain
#   bench/uplink-bench.sh --mode forward --messages 500000 --qos 1 --max-inflight 256
#   bench/uplink-bench.sh --mode forward --qos 1 --messages 300000 --rate 20000   # paced publishers
#   bench/uplink-bench.sh --mode forward --qos 1 --messages 300000 --runs 5       # 5 runs, then the median
#   bench/uplink-bench.sh --mode drain --backlog 1000000 [--persistence]
# Needs mosquitto (/usr/sbin/mosquitto, or --mosquitto PATH) and a build from the reactor (-am, so that
# gateway-core is this tree's, not a stale copy in ~/.m2):
#   mvn -q -o -pl gateway-app,bench -am package -DskipTests
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JAR=gateway-app/target/estuary.jar
[[ -f "$JAR" && -d bench/target/classes/io/estuary/bench/uplink ]] || { echo "uplink-bench: build first: mvn -q -o -pl gateway-app,bench -am package -DskipTests" >&2; exit 2; }
# estuary.jar lacks hivemq-mqtt-client and its dependencies while gateway-app/pom.xml declares the
# client with <scope>test</scope> (that overrides the uplink's compile dependency): add them from ~/.m2
M2=${M2_REPO:-$HOME/.m2/repository}
CP="bench/target/classes:uplink/target/classes:$JAR"  # the uplink as built, ahead of the copy in the jar
for j in com/hivemq/hivemq-mqtt-client/1.3.3/hivemq-mqtt-client-1.3.3.jar io/reactivex/rxjava2/rxjava/2.2.21/rxjava-2.2.21.jar \
         org/jctools/jctools-core/2.1.2/jctools-core-2.1.2.jar com/google/dagger/dagger/2.27/dagger-2.27.jar \
         javax/inject/javax.inject/1/javax.inject-1.jar; do
  [[ -f "$M2/$j" ]] || { echo "uplink-bench: missing $M2/$j (mvn -pl bench dependency:go-offline)" >&2; exit 2; }
  CP="$CP:$M2/$j"
done
exec java ${UPLINK_BENCH_JAVA_OPTS:--Xms2g -Xmx4g} -Dlogback.configurationFile=etc/logback.xml \
  -cp "$CP" io.estuary.bench.uplink.UplinkBench "$@"
