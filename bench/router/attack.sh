#!/usr/bin/env bash
# Normal-request latency while hostile clients attack the router, and the router's memory with idle connections.
# Round by round (A/B interleaved, so the shared box's noise hits both alike): wrk at 8 connections for S seconds
# with no attack, then the same while COUNT attackers hold connections (half slowloris heads, half clients that asked
# for a BIG_KB KiB answer, default 256, and never read; attackers.mjs, each from an address of its own). The attacked
# run starts once the router has absorbed the attack: its CPU use stayed under 5% of a core for half a second (on a
# busy box the 1,000 connects and 500 answers take the router several seconds of wall time; a fixed wait measured
# that burst instead of the held attack). Each round also prints the router's CPU time spent absorbing the attack and
# how long that took. SETTLE=0 measures from the attackers' connect burst on instead. The router runs with its
# default limits. Memory with idle connections: idle-memory.sh.
# Usage: bench/router/attack.sh [rounds=5] [seconds=5] [count=1000]
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 setsid nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-5}
SECS=${2:-5}
COUNT=${3:-1000}
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
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
HZ=$(getconf CLK_TCK)
# Waits (up to 60 s) until the router used under 5% of a core over half a second.
wait_quiet() {
  local before after
  for _ in $(seq 120); do
    before=$(cpu_ticks "$ROUTER_PID"); sleep 0.5; after=$(cpu_ticks "$ROUTER_PID")
    [ $(((after - before) * 100 / HZ)) -lt 3 ] && return 0
  done
}
# Starts attackers and waits until all are connected; the pid is left in ATTACK_PID.
attack() {
  local fifo="$WORK/attack.$RANDOM"
  mkfifo "$fifo"
  env PORT=$ROUTER COUNT="$1" MODE="$2" RECONNECT="${RECONNECT:-1}" SECONDS=300 node "$ROOT/bench/router/attackers.mjs" >"$fifo" &
  ATTACK_PID=$!
  read -r _ <"$fifo"
  rm -f "$fifo"
}

printf "%-6s %-8s %10s %9s %9s %8s  %s\n" round case "req/s" "p50 ms" "p99 ms" "RSS MB" "absorbing the attack"
RATIOS="$WORK/ratios"
for round in $(seq "$ROUNDS"); do
  read -r rps p50 p99 bad < <(wrk_run "http://127.0.0.1:$ROUTER/" "$SECS" 8)
  printf "%-6s %-8s %10s %9s %9s %8.0f\n" "$round" quiet "$rps" "$p50" "$p99" "$(rss "$ROUTER_PID")"
  quiet=$p99
  started=$(date +%s.%N); cpu_before=$(cpu_ticks "$ROUTER_PID")
  attack "$COUNT" attack
  absorbed=""
  if [ "${SETTLE:-}" != 0 ]; then
    wait_quiet
    absorbed=$(awk -v t="$(cpu_ticks "$ROUTER_PID")" -v b="$cpu_before" -v hz="$HZ" -v s="$started" -v now="$(date +%s.%N)" 'BEGIN { printf "%.2f s CPU in %.1f s", (t - b) / hz, now - s - 0.5 }')
    echo "$(awk -v t="$(cpu_ticks "$ROUTER_PID")" -v b="$cpu_before" -v hz="$HZ" 'BEGIN { print (t - b) / hz }')" >>"$WORK/absorb"
  fi
  read -r rps p50 p99 bad < <(wrk_run "http://127.0.0.1:$ROUTER/" "$SECS" 8)
  printf "%-6s %-8s %10s %9s %9s %8.0f  %s\n" "$round" attacked "$rps" "$p50" "$p99" "$(rss "$ROUTER_PID")" "$absorbed"
  kill "$ATTACK_PID"; wait "$ATTACK_PID" 2>/dev/null || true
  echo "$p99 $quiet" >>"$RATIOS"
done
awk '{ k++; r[k] = $1 / $2 } END { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (r[j] < r[i]) { t = r[i]; r[i] = r[j]; r[j] = t }
       printf "p99 attacked/quiet: median %.2fx (range %.2f-%.2fx) over %d rounds\n", (k % 2 ? r[(k + 1) / 2] : (r[k / 2] + r[k / 2 + 1]) / 2), r[1], r[k], k }' "$RATIOS"

[ -f "$WORK/absorb" ] && sort -n "$WORK/absorb" | awk '{ v[++k] = $1 } END { printf "router CPU to absorb the attack: median %.2f s (range %.2f-%.2f s)\n", (k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2), v[1], v[k] }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
