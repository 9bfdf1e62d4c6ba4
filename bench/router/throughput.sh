#!/usr/bin/env bash
# Throughput and latency of the router against nginx (1 worker, keepalive upstream) and the app reached directly,
# measured in the same run, interleaved round by round so machine noise hits all three alike.
# Usage: bench/router/throughput.sh [rounds=3] [seconds=10] [connections=32]
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNS=${3:-32}
ensure_tools
build

APP=19101 NGINX=19102 ROUTER=19103
if [ -f "$ROOT/examples/webapp/server.js" ] && [ -n "${USE_EXAMPLE_APP:-}" ]; then
  start_bg env PORT=$APP node "$ROOT/examples/webapp/server.js"
else
  start_bg env PORT=$APP node "$ROOT/bench/router/upstream.mjs"
fi
start_nginx $NGINX $APP
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP WORKERS="${WORKERS:-}" node "$ROOT/bench/router/run-router.mjs"
wait_port $APP; wait_port $NGINX; wait_port $ROUTER
# Warm up JITs and keep-alive pools.
for port in $APP $NGINX $ROUTER; do wrk -t2 -c"$CONNS" -d2s "http://127.0.0.1:$port/" >/dev/null; done

printf "%-6s %-7s %10s %9s %9s %6s\n" round target "req/s" "p50 ms" "p99 ms" bad
declare -A RPS P99
for round in $(seq "$ROUNDS"); do
  order=(direct nginx router)
  # Rotate the order each round so no target always runs first.
  order=("${order[@]:$((round % 3))}" "${order[@]:0:$((round % 3))}")
  for target in "${order[@]}"; do
    case $target in direct) port=$APP ;; nginx) port=$NGINX ;; router) port=$ROUTER ;; esac
    read -r rps p50 p99 bad < <(wrk_run "http://127.0.0.1:$port/" "$SECONDS_PER_RUN" "$CONNS")
    RPS[$target.$round]=$rps; P99[$target.$round]=$p99
    printf "%-6s %-7s %10s %9s %9s %6s\n" "$round" "$target" "$rps" "$p50" "$p99" "$bad"
  done
  awk -v r="${RPS[router.$round]}" -v n="${RPS[nginx.$round]}" -v d="${RPS[direct.$round]}" \
      -v rp="${P99[router.$round]}" -v np="${P99[nginx.$round]}" -v dp="${P99[direct.$round]}" -v round="$round" \
    'BEGIN { ra = rp - dp; na = np - dp; if (na <= 0) na = 0.001;
             printf "round %s: router/nginx throughput %.0f%%, nginx/direct %.0f%%, added p99 router %.2f ms vs nginx %.2f ms (%.2fx)\n",
               round, 100 * r / n, 100 * n / d, ra, na, ra / na }'
done
