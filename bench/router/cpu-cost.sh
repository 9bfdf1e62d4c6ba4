#!/usr/bin/env bash
# CPU time per request (user+system, from /proc and the shell's `time`) for each proxy, the upstream behind it and
# wrk, in interleaved rounds. On a CPU-bound box throughput follows total CPU per request, so
#   modelled router/nginx = (wrk + upstream + nginx) / (wrk + upstream + router)   (µs per request, same round)
# is what the ratio of req/s would be without other work on the machine. It is less swayed by a busy box than
# req/s, but still swayed (cache and scheduler effects).
# TLS=1: nginx and the router terminate HTTPS (lib.sh make_cert; the naive proxy is left out), so the figures include
# TLS on the client side; the app is reached over plain HTTP.
# Usage: bench/router/cpu-cost.sh [rounds=3] [seconds=5] [connections=32]   (NICE=-15 as root; TARGETS="nginx router naive")
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 setsid nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-5}
CONNS=${3:-32}
read -r -a TARGET_LIST <<<"${TARGETS:-nginx router$([ -n "${TLS:-}" ] || echo " naive")}"
ensure_tools
build
APP=19501 NGINX=19502 ROUTER=19503 NAIVE=19504 ROUTER_TLS=19505 LOGGED=19506 LOGGED_TLS=19507
tls_env=()
if [ -n "${TLS:-}" ]; then
  make_cert
  tls_env=(TLS_PORT=$ROUTER_TLS TLS_CERT="$CERT" TLS_KEY="$KEY")
fi
start_bg env PORT=$APP node "$ROOT/bench/router/upstream.mjs"
app_pid=${PIDS[-1]}
start_nginx $NGINX $APP
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP "${tls_env[@]}" node "$ROOT/bench/router/run-router.mjs"
router_pid=${PIDS[-1]}
# `logged`: the router with its access log on (run-router.mjs ACCESS_LOG=1), for the log's cost.
logged_pid=""
if [[ " ${TARGET_LIST[*]} " == *" logged "* ]]; then
  start_bg env PORT=$LOGGED UPSTREAM=http://127.0.0.1:$APP ACCESS_LOG=1 ${TLS:+TLS_PORT=$LOGGED_TLS TLS_CERT=$CERT TLS_KEY=$KEY} node "$ROOT/bench/router/run-router.mjs"
  logged_pid=${PIDS[-1]}
fi
start_bg env PORT=$NAIVE UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/naive-proxy.mjs"
naive_pid=${PIDS[-1]}
for target in direct "${TARGET_LIST[@]}"; do wait_url "$(url_of "$target")"; done
sleep 0.3
nginx_worker=$(pgrep -P "$(cat "$WORK/nginx.pid")" | head -1)
pid_of() { case $1 in nginx) echo "$nginx_worker" ;; router) echo "$router_pid" ;; naive) echo "$naive_pid" ;; logged) echo "$logged_pid" ;; esac; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
for target in "${TARGET_LIST[@]}"; do wrk -t2 -c"$CONNS" -d2s "$(url_of "$target")" >/dev/null; done

printf "%-6s %-7s %10s %12s %12s %12s %12s\n" round target "req/s" "proxy us/req" "app us/req" "wrk us/req" "total us/req"
TOTALS="$WORK/totals"
TIMEFORMAT='%U %S'
n=${#TARGET_LIST[@]}
for round in $(seq "$ROUNDS"); do
  shift_by=$((round % n))
  order=("${TARGET_LIST[@]:$shift_by}" "${TARGET_LIST[@]:0:$shift_by}")
  for target in "${order[@]}"; do
    pid=$(pid_of "$target")
    proxy_before=$(cpu_ticks "$pid"); app_before=$(cpu_ticks "$app_pid")
    { time wrk -t2 -c"$CONNS" -d"${SECONDS_PER_RUN}s" "$(url_of "$target")" >"$WORK/wrk.out"; } 2>"$WORK/wrk.time"
    proxy_after=$(cpu_ticks "$pid"); app_after=$(cpu_ticks "$app_pid")
    requests=$(awk '/requests in/ {print $1}' "$WORK/wrk.out")
    rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.out")
    read -r wrk_user wrk_sys <"$WORK/wrk.time"
    awk -v round="$round" -v n="$target" -v r="$rps" -v q="$requests" -v p=$((proxy_after - proxy_before)) -v a=$((app_after - app_before)) \
        -v w="$wrk_user + $wrk_sys" -v hz="$hz" -v out="$TOTALS" \
      'BEGIN { split(w, parts, " + "); ws = parts[1] + parts[2];
               pu = (p / hz) * 1e6 / q; au = (a / hz) * 1e6 / q; wu = ws * 1e6 / q;
               printf "%-6s %-7s %10s %12.1f %12.1f %12.1f %12.1f\n", round, n, r, pu, au, wu, pu + au + wu;
               printf "%s %s %f %f\n", round, n, pu + au + wu, pu >> out }'
  done
done
awk '{ total[$1, $2] = $3; proxy[$1, $2] = $4; rounds[$1] = 1 }
     END { k = 0; for (r in rounds) if (total[r, "router"] > 0 && total[r, "nginx"] > 0) { k++; m[k] = total[r, "nginx"] / total[r, "router"]; c[k] = proxy[r, "router"] / proxy[r, "nginx"] }
           for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) { if (m[j] < m[i]) { t = m[i]; m[i] = m[j]; m[j] = t } if (c[j] < c[i]) { t = c[i]; c[i] = c[j]; c[j] = t } }
           k2 = 0; for (r in rounds) if (proxy[r, "router"] > 0 && proxy[r, "logged"] > 0) { k2++; g[k2] = proxy[r, "logged"] / proxy[r, "router"] }
           for (i = 1; i <= k2; i++) for (j = i + 1; j <= k2; j++) if (g[j] < g[i]) { t = g[i]; g[i] = g[j]; g[j] = t }
           if (k2) printf "median of %d rounds: router CPU per request with the access log on %.2fx off (range %.2f-%.2fx)\n", k2, (k2 % 2 ? g[(k2 + 1) / 2] : (g[k2 / 2] + g[k2 / 2 + 1]) / 2), g[1], g[k2]
           if (k) printf "median of %d rounds: router CPU per request %.2fx nginx; modelled router/nginx throughput %.0f%% (range %.0f-%.0f%%)\n", k, (k % 2 ? c[(k + 1) / 2] : (c[k / 2] + c[k / 2 + 1]) / 2), 100 * (k % 2 ? m[(k + 1) / 2] : (m[k / 2] + m[k / 2 + 1]) / 2), 100 * m[1], 100 * m[k] }' "$TOTALS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
