#!/usr/bin/env bash
# Memory of the router with many idle client connections, against nginx (1 worker) holding the same connections.
# Round by round: RSS of a fresh router (its own process each time, after a short wrk warm-up) and of the nginx worker, then with IDLE
# connections open to each in turn (attackers.mjs MODE=idle: connected, nothing sent, each from an address of its
# own), measured once the router's CPU went quiet; the connections are closed before the next measurement. RSS only:
# the kernel's socket buffers are not in it (and are the same for both).
# Usage: bench/router/idle-memory.sh [rounds=3] [idle=5000]   (BEFORE=path/to/dist adds an older build as `before`)
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 setsid nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
IDLE=${2:-5000}
ensure_tools
build
ulimit -n 65536 2>/dev/null || true

APP=19401 ROUTER=19402 NGINX=19403
start_upstream_app $APP tiny
NGINX_CONNECTIONS=$((IDLE * 2)) start_nginx $NGINX $APP
wait_port $APP; wait_port $NGINX
sleep 0.3
NGINX_WORKER=$(pgrep -P "$(cat "$WORK/nginx.pid")" | head -1)
wrk -t2 -c32 -d2s "http://127.0.0.1:$NGINX/" >/dev/null
# BEFORE=path/to/another/dist: that build's router too, as target `before`, for an A/B in the same run.
TARGETS="router nginx"
[ -n "${BEFORE:-}" ] && TARGETS="router before nginx"

# A router of its own for each measurement (V8 keeps the heap it grew, so a second round in the same process would
# start from memory the first one left): started, warmed up with wrk, measured, stopped. Sets PID.
start_router() {
  local dist=$1
  if [ -n "$dist" ]; then start_bg env PORT=$ROUTER DIST="$dist" UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/run-router.mjs"
  else start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/run-router.mjs"; fi
  PID=${PIDS[-1]}
  wait_port $ROUTER
  wrk -t2 -c32 -d2s "http://127.0.0.1:$ROUTER/" >/dev/null
}
stop_router() { kill "$1"; wait "$1" 2>/dev/null || true; }

rss() { awk '/VmRSS/ {print $2 / 1024}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
quiet() {
  local before after
  for _ in $(seq 60); do
    before=$(cpu_ticks "$1"); sleep 0.5; after=$(cpu_ticks "$1")
    [ $((after - before)) -le 1 ] && return 0
  done
}
# Opens IDLE connections to port $1, measures process $2, closes them.
with_idle() {
  local fifo="$WORK/idle.$RANDOM"
  mkfifo "$fifo"
  env PORT="$1" COUNT="$IDLE" MODE=idle SECONDS=120 node "$ROOT/bench/router/attackers.mjs" >"$fifo" &
  local pid=$!
  read -r _ <"$fifo"
  rm -f "$fifo"
  quiet "$2"
  rss "$2"
  kill "$pid"; wait "$pid" 2>/dev/null || true
  quiet "$2"
}

printf "%-6s %-7s %12s %14s %14s\n" round target "RSS MB" "with idle MB" "KB per conn"
for round in $(seq "$ROUNDS"); do
  for target in $TARGETS; do
    case $target in
      router) start_router ""; port=$ROUTER pid=$PID ;;
      before) start_router "$BEFORE"; port=$ROUTER pid=$PID ;;
      *) port=$NGINX pid=$NGINX_WORKER ;;
    esac
    quiet "$pid"
    before=$(rss "$pid")
    with=$(with_idle "$port" "$pid")
    [ "$target" = nginx ] || stop_router "$pid"
    awk -v r="$round" -v t="$target" -v b="$before" -v w="$with" -v n="$IDLE" 'BEGIN { printf "%-6s %-7s %12.1f %14.1f %14.2f\n", r, t, b, w, (w - b) * 1024 / n }' | tee -a "$WORK/rows"
  done
done
awk '{ k[$2]++; v[$2, k[$2]] = $5 } END { for (t in k) { n = k[t]; for (i = 1; i <= n; i++) a[i] = v[t, i];
       for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { x = a[i]; a[i] = a[j]; a[j] = x }
       printf "%s: median %.2f KB per idle connection (range %.2f-%.2f)\n", t, (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2), a[1], a[n] } }' "$WORK/rows"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
