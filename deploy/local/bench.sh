#!/usr/bin/env bash
# Minter's benchmark command (JMH; see docs/benchmarks.md). Builds the benchmarks jar with the Maven profile
# `bench` (into minter/target/bench, so minter/target/minter.jar is left alone) when it is missing or older than the
# sources, then runs it. With no arguments: every benchmark with short defaults, then the anomaly detector's memory
# probe. Arguments go to JMH, e.g. a benchmark filter and options:
#   deploy/local/bench.sh PolicyDecide                 # only the policy benchmarks
#   deploy/local/bench.sh -prof gc AnomalyDetector     # with allocation rates
#   MINTER_BENCH_OPTS='-wi 5 -i 10 -f 2' deploy/local/bench.sh   # longer, steadier runs
# (JMH refuses an option given twice: change the defaults through MINTER_BENCH_OPTS, not the arguments.)
# The audit benchmark fsyncs into a temp directory: MINTER_BENCH_DIR chooses the file system (default: /tmp).
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

BENCH_JAR="$MINTER_ROOT/minter/target/bench/minter-benchmarks.jar"
# Short by default (a few minutes for everything on 2 cores): 2 warm-up and 3 measured 1 s iterations in one fork.
read -r -a OPTS <<<"${MINTER_BENCH_OPTS:--wi 2 -i 3 -f 1 -w 1s -r 1s}"

find_java
if [ ! -f "$BENCH_JAR" ] || [ -n "$(find "$MINTER_ROOT/proto/src" "$MINTER_ROOT/minter/src/main" \
    "$MINTER_ROOT/minter/src/bench" "$MINTER_ROOT/pom.xml" "$MINTER_ROOT/minter/pom.xml" "$MINTER_ROOT/proto/pom.xml" \
    -newer "$BENCH_JAR" -type f 2>/dev/null | head -n1)" ]; then
  ensure_maven
  step "building the benchmarks (mvn -Pbench package, tests skipped)"
  (cd "$MINTER_ROOT" && mvn -B -q -Pbench -Dmaven.test.skip=true -pl minter -am package) || die "benchmark build failed"
  ok "$BENCH_JAR"
fi

JAVA=("$JAVA_HOME/bin/java" "-Dminter.bench.dir=${MINTER_BENCH_DIR:-/tmp}")
step "JMH with $("$JAVA_HOME/bin/java" -version 2>&1 | head -n1), $(nproc) CPUs: ${OPTS[*]} $*"
"${JAVA[@]}" -jar "$BENCH_JAR" "${OPTS[@]}" "$@"
if [ $# -eq 0 ]; then
  step "anomaly detector memory (heap after full GCs, before and after tracking 10,000 agents; 3 rounds)"
  "${JAVA[@]}" -cp "$BENCH_JAR" dev.minter.bench.AnomalyDetectorBenchmark 10000
fi
