#!/usr/bin/env bash
# Makes a Docker Engine available on this machine, idempotently (CI calls it).
# 1. If `docker info` already answers, do nothing.
# 2. Install Debian's docker.io if dockerd is missing (needs root).
# 3. Start dockerd in the background, logging to $DOCKERD_LOG, and wait for it.
#    If it cannot start with bridge networking (no iptables/bridge support),
#    retry with --iptables=false --bridge=none; the docker platform then runs
#    containers with --network host (see docs/docker-platform.md).
# Exits non-zero when no engine could be started. SHIPGATE_DOCKERD_NO_INSTALL=1 skips step 2.
set -uo pipefail

log="${DOCKERD_LOG:-/tmp/shipgate-dockerd.log}"
wait_s="${DOCKERD_WAIT_SECONDS:-60}"

say() { echo "start-dockerd: $*" >&2; }

engine_up() { docker info >/dev/null 2>&1; }

wait_for_engine() {
  local pid="$1" i
  for ((i = 0; i < wait_s * 4; i++)); do
    engine_up && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.25
  done
  return 1
}

if engine_up; then
  say "engine already running"
  exit 0
fi

if [[ -n "${DOCKER_HOST:-}" && "${DOCKER_HOST}" != unix://* ]]; then
  say "DOCKER_HOST=${DOCKER_HOST} does not answer; not starting a local engine for a remote host"
  exit 1
fi

if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  if [[ "${SHIPGATE_DOCKERD_NO_INSTALL:-0}" == 1 ]]; then
    say "dockerd is not installed (SHIPGATE_DOCKERD_NO_INSTALL=1: not installing)"
    exit 1
  fi
  if [[ "$(id -u)" != 0 ]]; then
    say "dockerd is not installed and we are not root; cannot install docker.io"
    exit 1
  fi
  say "installing docker.io from Debian"
  export DEBIAN_FRONTEND=noninteractive
  if ! { apt-get update -qq && apt-get install -y -qq docker.io; } >>"$log" 2>&1; then
    say "apt-get install docker.io failed (see $log)"
    exit 1
  fi
fi

start() {
  say "starting dockerd $* (log: $log)"
  nohup dockerd "$@" >>"$log" 2>&1 &
  local pid=$!
  if wait_for_engine "$pid"; then
    say "engine up (dockerd pid $pid)"
    return 0
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 1
}

# A stale pid file from a dead daemon blocks a new one.
if [[ -f /var/run/docker.pid ]] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
  rm -f /var/run/docker.pid
fi

start && exit 0
say "dockerd failed with default networking; retrying without iptables and bridge"
start --iptables=false --bridge=none && exit 0
say "no Docker Engine could be started; last log lines:"
tail -n 20 "$log" >&2
exit 1
