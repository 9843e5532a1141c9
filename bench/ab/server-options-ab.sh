#!/usr/bin/env bash
# Same-run A/B of the bench servers' JVM options (bench/JOURNAL.md, "Where the afternoon's CPU rise came from"): each variant
# gets its own platform stand-in and alpha-credit connector; one warm load generator (ServerOptionsAb.java) drives GetScore
# at each in interleaved rounds and prints the CPU per call of both servers. Needs the built tree (./cxg bench run --help
# builds it) and an idle machine. Variants: m = the morning's -Xms256m -Xmx256m, a = the afternoon's sizing (the gateway's),
# each without and with the report's -Xlog (mlog, alog).
#   bench/ab/server-options-ab.sh [ROUNDS=8] [SECONDS=4] [OUTSTANDING=64]
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROUNDS=${1:-8} SECS=${2:-4} CONC=${3:-64}
W=$(mktemp -d "${TMPDIR:-/tmp}/cxg-server-options-ab.XXXXXX")
CP="$ROOT/bench/target/cxg-bench-0.1.0-SNAPSHOT.jar:$ROOT/bench/target/lib/*"
SCORER=$ROOT/private-scorer-connector/target/quarkus-app/quarkus-run.jar
[[ -f $SCORER && -f $ROOT/bench/target/cxg-bench-0.1.0-SNAPSHOT.jar ]] || { echo "build first: ./cxg bench run --help" >&2; exit 2; }
java -cp "$ROOT/pki/target/cxg-pki-0.1.0-SNAPSHOT.jar:$ROOT/pki/target/lib/*" cxg.pki.PkiCli init --dir "$W/pki" >/dev/null || exit 1
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
xlog() { echo "-Xlog:gc*=info,safepoint=info,jit+compilation=debug:file=$W/$1.jvm.log:utctime,tags:filecount=0"; }
MORNING="-XX:+UseSerialGC -Xms256m -Xmx256m"
AFTERNOON="-XX:+UseSerialGC -Xms512m -Xmx512m -Xmn256m -XX:MaxTenuringThreshold=2 -XX:MetaspaceSize=128m"
declare -A OPTS=([m]="$MORNING" [mlog]="$MORNING" [a]="$AFTERNOON" [alog]="$AFTERNOON") PLAT CONN GRPC HTTP
VARIANTS=(m mlog a alog)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$W"' EXIT
for v in "${VARIANTS[@]}"; do
  pl=() cl=()
  [[ $v == *log ]] && { pl=("$(xlog "platform-$v")"); cl=("$(xlog "connector-$v")"); }
  pp=$(free_port) g=$(free_port) h=$(free_port)
  # shellcheck disable=SC2086
  java ${OPTS[$v]} "${pl[@]}" -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" cxg.bench.BenchCli platform \
    --listen "127.0.0.1:$pp" >"$W/platform-$v.log" 2>&1 &
  PLAT[$v]=$!; PIDS+=($!)
  # shellcheck disable=SC2086
  java ${OPTS[$v]} "${cl[@]}" -Dcxg.member=alpha-credit -Dcxg.pki.dir="$W/pki" -Dcxg.platform.base-url="http://127.0.0.1:$pp/alpha-credit" \
    -Dquarkus.grpc.server.port="$g" -Dquarkus.grpc.server.host=127.0.0.1 -Dquarkus.http.port="$h" -Dquarkus.http.host=127.0.0.1 \
    -jar "$SCORER" >"$W/connector-$v.log" 2>&1 &
  CONN[$v]=$!; PIDS+=($!); GRPC[$v]=$g; HTTP[$v]=$h
done
for v in "${VARIANTS[@]}"; do
  for _ in $(seq 300); do curl -fsS -o /dev/null "http://127.0.0.1:${HTTP[$v]}/q/health/ready" 2>/dev/null && break; sleep 1; done
done
args=()
for v in "${VARIANTS[@]}"; do args+=("$v:${GRPC[$v]}:${PLAT[$v]}:${CONN[$v]}"); done
java -XX:+UseSerialGC -Xms256m -Xmx512m -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$CP" \
  "$ROOT/bench/ab/ServerOptionsAb.java" "$W/pki" "$ROUNDS" "$SECS" "$CONC" "${args[@]}"
