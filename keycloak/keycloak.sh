#!/usr/bin/env bash
# Fetches, starts, waits for and stops the dev Keycloak that issues cxg's certificate-bound tokens.
#
#   keycloak.sh fetch                                    download + unpack the distribution (cached)
#   keycloak.sh prepare                                  fetch, then build it for dev mode (cached; ./cxg runs this
#                                                        during its own build)
#   keycloak.sh start HTTP_PORT HTTPS_PORT MGMT_PORT PKI_DIR   start in the background (realm cxg imported)
#   keycloak.sh wait [TIMEOUT_SECONDS]                   block until ready (default 300 s)
#   keycloak.sh stop                                     stop what `start` started
#   keycloak.sh url                                      print the HTTPS base URL of the running instance
#
# Environment: CXG_HOME (default <repo>/.cxg) holds the unpacked distribution under tools/ (from the local Maven
# repository, CXG_MAVEN_REPO, default ~/.m2/repository, if the zip is there; else downloaded with mvn);
# CXG_KEYCLOAK_RUN_DIR (default $CXG_HOME/run) holds the pid file, log and instance state, so tests
# can run their own instance next to the demo's. Keycloak binds 127.0.0.1 only; its database is in
# memory, so every start imports keycloak/cxg-realm.json afresh. CXG_KEYCLOAK_HEAP (default -Xms64m -Xmx512m) and
# CXG_KEYCLOAK_JAVA_OPTS (default -XX:TieredStopAtLevel=1; empty for none) are its JVM options, before any
# JAVA_OPTS_APPEND of the caller's (kc.sh's own variable).
# Exit codes: 0 ok, 2 usage, 4 not ready in time / not running, 1 anything else.
set -euo pipefail

KC_VERSION=26.5.6
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$HERE")"
CXG_HOME="${CXG_HOME:-$REPO/.cxg}"
TOOLS="$CXG_HOME/tools"
DIST="$TOOLS/keycloak-$KC_VERSION"
RUN="${CXG_KEYCLOAK_RUN_DIR:-$CXG_HOME/run}"
# Where Maven keeps what it downloaded: the distribution is unpacked from there when it is already in it.
LOCAL_REPO="${CXG_MAVEN_REPO:-$HOME/.m2/repository}"
PID_FILE="$RUN/keycloak.pid"
LOG="$RUN/keycloak.log"
ENV_FILE="$RUN/keycloak.env"
INSTANCE="$RUN/keycloak-home"
# start-dev builds the distribution (Quarkus augmentation: ~14 s alone, ~30 s beside the benchmark report's other JVMs)
# whenever these build-time options differ from the last build's, and keeps the result under lib/quarkus; `prepare`
# builds with the same ones, so that `start` need not.
BUILD_OPTS=(--db=dev-mem --health-enabled=true --https-client-auth=request)
BUILT_MARKER="$DIST/.cxg-dev-build"
# Dev-only credentials of the master-realm admin (admin console, key rotation in tests).
ADMIN_USER=admin
ADMIN_PASSWORD=admin-dev-password

die() { echo "keycloak: $2" >&2; exit "$1"; }

# Fetches and builds (demo, tests, a prepare in the background) serialise on this lock; the loser finds the result.
lock_tools() {
  mkdir -p "$TOOLS"
  exec 9>"$TOOLS/keycloak.lock"
  flock 9
}

fetch() {
  lock_tools
  fetch_locked
  flock -u 9
}

fetch_locked() {
  if [[ ! -x "$DIST/bin/kc.sh" ]]; then
    local tmp; tmp="$(mktemp -d "$TOOLS/keycloak-fetch.XXXXXX")"
    local zip="$LOCAL_REPO/org/keycloak/keycloak-quarkus-dist/$KC_VERSION/keycloak-quarkus-dist-$KC_VERSION.zip"
    if [[ -f "$zip" ]]; then
      echo "unpacking Keycloak $KC_VERSION from the local Maven repository (once per CXG_HOME)…"
    else
      echo "fetching Keycloak $KC_VERSION from Maven Central (once, ~165 MB)…"
      mvn -B -q dependency:copy -Dartifact="org.keycloak:keycloak-quarkus-dist:$KC_VERSION:zip" \
          -DoutputDirectory="$tmp" >"$tmp/mvn.log" 2>&1 \
        || { rm -rf "$tmp"; die 1 "could not download org.keycloak:keycloak-quarkus-dist:$KC_VERSION"; }
      zip="$tmp/keycloak-quarkus-dist-$KC_VERSION.zip"
    fi
    unzip -q "$zip" -d "$tmp" || { rm -rf "$tmp"; die 1 "could not unpack $zip; if it is damaged, delete it and run again to download it"; }
    mv "$tmp/keycloak-$KC_VERSION" "$DIST"
    rm -rf "$tmp"
  fi
}

# Runs start-dev in a throw-away instance until its build is done (it then prints "Running the server in development
# mode") and stops it there: dev mode cannot be built with `kc.sh build`, but a later start-dev with the same build
# options reuses what this one built. Keeps the lock throughout, so a `start` meanwhile waits for the result.
prepare() {
  lock_tools
  fetch_locked
  if [[ "$(cat "$BUILT_MARKER" 2>/dev/null)" != "${BUILD_OPTS[*]}" ]]; then
    local home; home="$(mktemp -d "$TOOLS/keycloak-prepare.XXXXXX")"
    make_home "$home"
    echo "building Keycloak $KC_VERSION for dev mode (once per CXG_HOME)…"
    launch "$home" start-dev "${BUILD_OPTS[@]}" --http-host=127.0.0.1 </dev/null >"$home/build.log" 2>&1 &
    local pid=$! deadline=$(( $(date +%s) + 300 )) built=0
    while kill -0 "$pid" 2>/dev/null && (( $(date +%s) < deadline )); do
      if grep -q 'Running the server in development mode' "$home/build.log"; then built=1; break; fi
      sleep 0.2
    done
    kill -TERM -- "-$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if (( !built )); then
      cp "$home/build.log" "$TOOLS/keycloak-prepare.log"
      rm -rf "$home"
      die 1 "could not build Keycloak for dev mode; see $TOOLS/keycloak-prepare.log (start builds it instead)"
    fi
    rm -rf "$home"
    echo "${BUILD_OPTS[*]}" >"$BUILT_MARKER"
  fi
  flock -u 9
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid; pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# An instance home: its own bin/ (kc.sh derives kc.home.dir from it) and data/, the rest shared.
make_home() {
  mkdir -p "$1/data"
  cp -r "$DIST/bin" "$1/bin"
  for d in conf lib providers themes; do ln -s "$DIST/$d" "$1/$d"; done
}

# Keycloak's own launcher in the instance home $1 with the arguments after it, with cxg's JVM options for it. Only in
# the background (`launch … &`): it replaces that subshell, so that $! is the launcher, which setsid makes the leader
# of its own process group (it outlives the calling shell, ./cxg up returns, and stop can end the group).
# C1 only: this Keycloak issues a few dev tokens and is otherwise idle; what costs is its start, and the first one's
# build of the distribution took 14 s instead of 23 (bench/JOURNAL.md, "The report's own time").
launch() {
  local home="$1"; shift
  KC_BOOTSTRAP_ADMIN_USERNAME="$ADMIN_USER" KC_BOOTSTRAP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
  JAVA_OPTS_KC_HEAP="${CXG_KEYCLOAK_HEAP:--Xms64m -Xmx512m}" \
  JAVA_OPTS_APPEND="${CXG_KEYCLOAK_JAVA_OPTS--XX:TieredStopAtLevel=1}${JAVA_OPTS_APPEND:+ $JAVA_OPTS_APPEND}" \
  exec setsid "$home/bin/kc.sh" "$@"
}

prepare_instance() {
  local pki="$1"
  rm -rf "$INSTANCE"
  make_home "$INSTANCE"
  mkdir -p "$INSTANCE/data/import"
  cp "$HERE/cxg-realm.json" "$INSTANCE/data/import/cxg-realm.json"
  keytool -importcert -noprompt -alias cxg-member-ca -file "$pki/ca.crt" \
    -keystore "$INSTANCE/member-ca.p12" -storetype PKCS12 -storepass changeit >/dev/null 2>&1 \
    || die 1 "cannot read the member CA certificate $pki/ca.crt"
}

start() {
  [[ $# -eq 4 ]] || die 2 "usage: keycloak.sh start HTTP_PORT HTTPS_PORT MGMT_PORT PKI_DIR"
  local http="$1" https="$2" mgmt="$3" pki; pki="$(cd "$4" 2>/dev/null && pwd)" || die 2 "PKI_DIR $4 does not exist"
  for p in "$http" "$https" "$mgmt"; do [[ "$p" =~ ^[0-9]+$ ]] || die 2 "port must be a number: $p"; done
  for f in ca.crt keycloak.crt keycloak.key; do
    [[ -f "$pki/$f" ]] || die 2 "missing $pki/$f (run ./cxg pki init, which issues Keycloak's server certificate)"
  done
  if pid="$(running_pid)"; then die 1 "already running (pid $pid, log $LOG)"; fi
  fetch
  mkdir -p "$RUN"
  prepare_instance "$pki"
  echo "starting Keycloak on https://localhost:$https (realm cxg, log $LOG)…"
  printf 'KC_HTTP_PORT=%s\nKC_HTTPS_PORT=%s\nKC_MGMT_PORT=%s\nKC_STARTED=%s\n' "$http" "$https" "$mgmt" "$(date +%s)" >"$ENV_FILE"
  launch "$INSTANCE" start-dev "${BUILD_OPTS[@]}" --import-realm \
      --http-host=127.0.0.1 --http-port="$http" --https-port="$https" --http-management-port="$mgmt" \
      --hostname-strict=false \
      --https-certificate-file="$pki/keycloak.crt" --https-certificate-key-file="$pki/keycloak.key" \
      --https-trust-store-file="$INSTANCE/member-ca.p12" --https-trust-store-password=changeit \
      </dev/null >"$LOG" 2>&1 &
  echo $! >"$PID_FILE"
}

wait_ready() {
  local timeout="${1:-300}"
  [[ -f "$ENV_FILE" ]] || die 4 "not started (no $ENV_FILE)"
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  local deadline=$(( $(date +%s) + timeout ))
  while true; do
    running_pid >/dev/null || die 4 "Keycloak exited during start-up; see $LOG"
    if curl -skf -o /dev/null "https://127.0.0.1:$KC_MGMT_PORT/health/ready" \
       && curl -skf -o /dev/null "https://127.0.0.1:$KC_HTTPS_PORT/realms/cxg/protocol/openid-connect/certs"; then
      echo "Keycloak ready on https://localhost:$KC_HTTPS_PORT after $(( $(date +%s) - KC_STARTED )) s"
      return 0
    fi
    (( $(date +%s) < deadline )) || die 4 "Keycloak not ready after ${timeout} s; see $LOG"
    sleep 1
  done
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$PID_FILE"; return 0; fi
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  # Still there after 30 s: end its process group (setsid made $pid the group leader).
  kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  echo "Keycloak stopped"
}

url() {
  running_pid >/dev/null || die 4 "not running"
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  echo "https://localhost:$KC_HTTPS_PORT"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  fetch) fetch ;;
  prepare) prepare ;;
  start) start "$@" ;;
  wait) wait_ready "$@" ;;
  stop) stop ;;
  url) url ;;
  *) die 2 "usage: keycloak.sh fetch|prepare|start HTTP_PORT HTTPS_PORT MGMT_PORT PKI_DIR|wait [SECONDS]|stop|url" ;;
esac
