#!/usr/bin/env bash
# Throughput and latency of the router against nginx (1 worker, keepalive upstream), the app reached directly and a
# naive node:http proxy (the issue's anchor, for calibration). All four are measured in the same run, interleaved
# round by round with the order rotated, so machine noise hits them alike. NICE=-15 (as root) runs everything above
# other work on a busy box.
# Usage: bench/router/throughput.sh [rounds=3] [seconds=10] [connections=32]
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNS=${3:-32}
ensure_tools
build

APP=19101 NGINX=19102 ROUTER=19103 NAIVE=19104
start_bg env PORT=$APP node "$ROOT/bench/router/upstream.mjs"
start_nginx $NGINX $APP
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP WORKERS="${WORKERS:-}" node "$ROOT/bench/router/run-router.mjs"
start_bg env PORT=$NAIVE UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/naive-proxy.mjs"
wait_port $APP; wait_port $NGINX; wait_port $ROUTER; wait_port $NAIVE
# Warm up JITs and keep-alive pools.
for port in $APP $NGINX $ROUTER $NAIVE; do wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$port/" >/dev/null; done

printf "%-6s %-7s %10s %9s %9s %6s\n" round target "req/s" "p50 ms" "p99 ms" bad
declare -A RPS P99
for round in $(seq "$ROUNDS"); do
  order=(direct nginx router naive)
  shift_by=$((round % 4))
  order=("${order[@]:$shift_by}" "${order[@]:0:$shift_by}")
  for target in "${order[@]}"; do
    case $target in direct) port=$APP ;; nginx) port=$NGINX ;; router) port=$ROUTER ;; naive) port=$NAIVE ;; esac
    read -r rps p50 p99 bad < <(wrk_run "http://127.0.0.1:$port/" "$SECONDS_PER_RUN" "$CONNS")
    RPS[$target.$round]=$rps
    P99[$target.$round]=$p99
    printf "%-6s %-7s %10s %9s %9s %6s\n" "$round" "$target" "$rps" "$p50" "$p99" "$bad"
  done
  awk -v r="${RPS[router.$round]}" -v n="${RPS[nginx.$round]}" -v d="${RPS[direct.$round]}" -v v="${RPS[naive.$round]}" \
      -v rp="${P99[router.$round]}" -v np="${P99[nginx.$round]}" -v dp="${P99[direct.$round]}" -v round="$round" \
    'BEGIN { ra = rp - dp; na = np - dp;
             printf "round %s: router/nginx %.0f%%, naive/nginx %.0f%%, router/naive %.2fx, nginx/direct %.0f%%; added p99 router %.2f ms, nginx %.2f ms\n",
               round, 100 * r / n, 100 * v / n, r / v, 100 * n / d, ra, na }'
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
