#!/usr/bin/env bash
# CPU time each proxy spends per request (user+system, from /proc), less swayed by a busy machine than req/s (but still swayed).
# Compares nginx (1 worker), the router and a naive node:http proxy in front of the same upstream.
# Usage: bench/router/cpu-cost.sh [seconds=5] [connections=32]   (NICE=-15 to run above other work, as root)
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN=${1:-5}
CONNS=${2:-32}
ensure_tools
build
APP=19501 NGINX=19502 ROUTER=19503 NAIVE=19504
start_bg env PORT=$APP node "$ROOT/bench/router/upstream.mjs"
start_nginx $NGINX $APP
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/run-router.mjs"
start_bg env PORT=$NAIVE UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/naive-proxy.mjs"
wait_port $APP; wait_port $NGINX; wait_port $ROUTER; wait_port $NAIVE
sleep 0.3
nginx_worker=$(pgrep -P "$(cat "$WORK/nginx.pid")" | head -1)
router_pid=$(pgrep -f "run-router.mjs" | while read -r p; do grep -q "PORT=$ROUTER" /proc/$p/environ 2>/dev/null && echo $p; done | head -1)
naive_pid=$(pgrep -f "naive-proxy.mjs" | while read -r p; do grep -q "PORT=$NAIVE" /proc/$p/environ 2>/dev/null && echo $p; done | head -1)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
for port in $APP $NGINX $ROUTER $NAIVE; do wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$port/" >/dev/null; done
printf "%-7s %10s %12s %14s\n" target "req/s" requests "cpu us/req"
for pair in "nginx:$NGINX:$nginx_worker" "router:$ROUTER:$router_pid" "naive:$NAIVE:$naive_pid"; do
  IFS=: read -r name port pid <<<"$pair"
  before=$(cpu_ticks "$pid")
  out=$(wrk -t2 -c"$CONNS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$port/")
  after=$(cpu_ticks "$pid")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  awk -v n="$name" -v r="$rps" -v q="$requests" -v t=$((after - before)) -v hz="$hz" \
    'BEGIN { printf "%-7s %10s %12s %14.1f\n", n, r, q, (t / hz) * 1e6 / q }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
