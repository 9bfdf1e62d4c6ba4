#!/usr/bin/env bash
# Normal-request latency while hostile clients attack the router, and the router's memory with idle connections.
# Round by round (A/B interleaved, so the shared box's noise hits both alike): wrk at 8 connections for S seconds
# with no attack, then the same while COUNT attackers hold connections (half slowloris heads, half clients that asked
# for a BIG_KB KiB answer, default 256, and never read; attackers.mjs, each from an address of its own). SETTLE
# seconds (default 2) pass between the attackers being connected and the measurement: the figure is the steady state
# of held attackers; SETTLE=0 includes the burst of 1,000 connects and 500 answers being pushed into kernel buffers. The router runs with its default limits. Then: router RSS before and
# with IDLE idle connections open.
# Usage: bench/router/attack.sh [rounds=3] [seconds=5] [count=1000] [idle=5000]
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 setsid nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
SECS=${2:-5}
COUNT=${3:-1000}
IDLE=${4:-5000}
ensure_tools
build

APP=19301 ROUTER=19302
BIG_KB=${BIG_KB:-256} start_upstream_app $APP tiny
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/run-router.mjs"
ROUTER_PID=${PIDS[-1]}
wait_port $APP
wait_port $ROUTER
wrk -t2 -c8 -d2s "http://127.0.0.1:$ROUTER/" >/dev/null

rss() { awk '/VmRSS/ {print $2 / 1024}' "/proc/$1/status"; }
# Starts attackers and waits until all are connected; the pid is left in ATTACK_PID.
attack() {
  local fifo="$WORK/attack.$RANDOM"
  mkfifo "$fifo"
  env PORT=$ROUTER COUNT="$1" MODE="$2" SECONDS=300 node "$ROOT/bench/router/attackers.mjs" >"$fifo" &
  ATTACK_PID=$!
  read -r _ <"$fifo"
  rm -f "$fifo"
}

printf "%-6s %-8s %10s %9s %9s %8s\n" round case "req/s" "p50 ms" "p99 ms" "RSS MB"
RATIOS="$WORK/ratios"
for round in $(seq "$ROUNDS"); do
  read -r rps p50 p99 bad < <(wrk_run "http://127.0.0.1:$ROUTER/" "$SECS" 8)
  printf "%-6s %-8s %10s %9s %9s %8.0f\n" "$round" quiet "$rps" "$p50" "$p99" "$(rss "$ROUTER_PID")"
  quiet=$p99
  attack "$COUNT" attack
  sleep "${SETTLE:-2}"
  read -r rps p50 p99 bad < <(wrk_run "http://127.0.0.1:$ROUTER/" "$SECS" 8)
  printf "%-6s %-8s %10s %9s %9s %8.0f\n" "$round" attacked "$rps" "$p50" "$p99" "$(rss "$ROUTER_PID")"
  kill "$ATTACK_PID"; wait "$ATTACK_PID" 2>/dev/null || true
  echo "$p99 $quiet" >>"$RATIOS"
done
awk '{ k++; r[k] = $1 / $2 } END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
       printf "p99 attacked/quiet: median %.2fx (range %.2f-%.2fx) over %d rounds\n", (k % 2 ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2), r[1], r[k], k }' "$RATIOS"

sleep 1
before=$(rss "$ROUTER_PID")
attack "$IDLE" idle
sleep 1
printf "router RSS: %.0f MB before, %.0f MB with %d idle connections (%.1f KB each)\n" "$before" "$(rss "$ROUTER_PID")" "$IDLE" "$(awk -v a="$before" -v b="$(rss "$ROUTER_PID")" -v n="$IDLE" 'BEGIN { print (b - a) * 1024 / n }')"
kill "$ATTACK_PID"; wait "$ATTACK_PID" 2>/dev/null || true
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
