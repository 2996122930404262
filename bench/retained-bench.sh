#!/usr/bin/env bash
# Subscribe latency against 1,000,000 retained messages (issue #13): the retained index vs the linear scan
# it replaced, same JMH run, one fork per (filter, impl) pair, average microseconds per subscribe lookup.
#   bench/retained-bench.sh                  # builds bench's classes, then all 8 cases (~3 minutes)
#   bench/retained-bench.sh -p impl=index    # extra arguments go to JMH
#   bench/retained-bench.sh --heap           # heap held by the 1,000,000: old map vs the index
# Environment: BUILD [always] never: use bench/target/classes and the class path file as they are.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
CP=bench/target/retained-bench.classpath
if [[ "${BUILD:-always}" != never || ! -f "$CP" ]]; then
  mvn -B -ntp -o -q -pl bench -am compile dependency:build-classpath -Dmdep.outputFile=target/retained-bench.classpath
fi
if [[ "${1:-}" == --heap ]]; then
  exec java -Xms3g -Xmx3g -cp "bench/target/classes:$(cat "$CP")" io.estuary.bench.retained.RetainedHeap
fi
exec java -cp "bench/target/classes:$(cat "$CP")" org.openjdk.jmh.Main 'io.estuary.bench.retained.RetainedSubscribeBench' \
  -rf text -rff bench/target/retained-bench.txt "$@"
