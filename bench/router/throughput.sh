#!/usr/bin/env bash
# Throughput and latency of the router against nginx (1 worker, keepalive upstream), the app reached directly and a
# naive node:http proxy (the issue's anchor, for calibration). All are measured in the same run, interleaved round by
# round with the order rotated, so machine noise hits them alike; the end prints the median of the per-round ratios.
# NICE=-15 (as root) runs everything above other work on a busy box. TARGETS="nginx router" skips the others, so
# more (shorter) rounds fit in the same time. UPSTREAM_APP=example proxies the example app (examples/webapp, its HTML
# page at /) instead of the tiny upstream.mjs: the proxies' share of the box is then smaller. The target `logged` is
# the router with its access log on (run-router.mjs ACCESS_LOG=1); the end then prints its throughput against `router`.
# TLS=1 (bench/router/https.sh): nginx, the router and `logged` are reached over HTTPS, the same self-signed certificate
# for both (TLS terminated by the proxy, plain HTTP to the app); `direct` stays plain HTTP, so "added p99" includes
# TLS. The naive proxy has no TLS and is left out.
# Usage: bench/router/throughput.sh [rounds=3] [seconds=10] [connections=32]
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 setsid nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNS=${3:-32}
read -r -a TARGET_LIST <<<"${TARGETS:-direct nginx router$([ -n "${TLS:-}" ] || echo " naive")}"
has() { [[ " ${TARGET_LIST[*]} " == *" $1 "* ]]; }
ensure_tools
build

APP=19101 NGINX=19102 ROUTER=19103 NAIVE=19104 LOGGED=19105 ROUTER_TLS=19106 LOGGED_TLS=19107
tls_env=()
if [ -n "${TLS:-}" ]; then
  make_cert
  tls_env=(TLS_CERT="$CERT" TLS_KEY="$KEY")
fi
start_upstream_app $APP "${UPSTREAM_APP:-tiny}"
start_nginx $NGINX $APP
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP WORKERS="${WORKERS:-}" ${TLS:+TLS_PORT=$ROUTER_TLS} "${tls_env[@]}" node "$ROOT/bench/router/run-router.mjs"
has logged && start_bg env PORT=$LOGGED UPSTREAM=http://127.0.0.1:$APP ACCESS_LOG=1 ${TLS:+TLS_PORT=$LOGGED_TLS} "${tls_env[@]}" node "$ROOT/bench/router/run-router.mjs"
has naive && start_bg env PORT=$NAIVE UPSTREAM=http://127.0.0.1:$APP node "$ROOT/bench/router/naive-proxy.mjs"
for target in direct "${TARGET_LIST[@]}"; do wait_url "$(url_of "$target")"; done
# Warm up JITs and keep-alive pools.
for target in "${TARGET_LIST[@]}"; do wrk -t2 -c"$CONNS" -d2s "$(url_of "$target")" >/dev/null; done

printf "%-6s %-7s %10s %9s %9s %6s\n" round target "req/s" "p50 ms" "p99 ms" bad
declare -A RPS P99
RATIOS="$WORK/ratios"
n=${#TARGET_LIST[@]}
for round in $(seq "$ROUNDS"); do
  shift_by=$((round % n))
  order=("${TARGET_LIST[@]:$shift_by}" "${TARGET_LIST[@]:0:$shift_by}")
  for target in "${order[@]}"; do
    read -r rps p50 p99 bad < <(wrk_run "$(url_of "$target")" "$SECONDS_PER_RUN" "$CONNS")
    RPS[$target.$round]=$rps
    P99[$target.$round]=$p99
    printf "%-6s %-7s %10s %9s %9s %6s\n" "$round" "$target" "$rps" "$p50" "$p99" "$bad"
  done
  awk -v r="${RPS[router.$round]:-0}" -v l="${RPS[logged.$round]:-0}" -v n="${RPS[nginx.$round]:-0}" -v d="${RPS[direct.$round]:-0}" -v v="${RPS[naive.$round]:-0}" \
      -v rp="${P99[router.$round]:-0}" -v np="${P99[nginx.$round]:-0}" -v dp="${P99[direct.$round]:-0}" -v round="$round" -v out="$RATIOS" \
    'BEGIN { line = sprintf("round %s:", round);
             if (n > 0) line = line sprintf(" router/nginx %.0f%%", 100 * r / n);
             if (n > 0 && v > 0) line = line sprintf(", naive/nginx %.0f%%", 100 * v / n);
             if (v > 0) line = line sprintf(", router/naive %.2fx", r / v);
             if (d > 0 && n > 0) line = line sprintf(", nginx/direct %.0f%%; added p99 router %.2f ms, nginx %.2f ms", 100 * n / d, rp - dp, np - dp);
             if (l > 0 && r > 0) line = line sprintf(", logged/router %.0f%%", 100 * l / r);
             print line;
             if (n > 0 || l > 0) printf "%f %f %f %f %f\n", (n > 0 ? r / n : -1), (v > 0 && n > 0 ? v / n : -1), rp - dp, np - dp, (l > 0 && r > 0 ? l / r : -1) >> out }'
done
awk -v direct="$(has direct && echo 1 || echo 0)" '
     function sort(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t } }
     function median(a, k) { sort(a, k); return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
     { k++; rn[k] = $1; vn[k] = $2; ra[k] = $3; na[k] = $4; lr[k] = $5 }
     END { if (k == 0) exit;
           m = median(rn, k); lo = rn[1]; hi = rn[k]; v = median(vn, k); r = median(ra, k); n = median(na, k); lg = median(lr, k);
           printf "median of %d rounds:", k;
           if (m >= 0) printf " router/nginx %.0f%% (range %.0f-%.0f%%)", 100 * m, 100 * lo, 100 * hi;
           if (v >= 0) printf ", naive/nginx %.0f%%", 100 * v;
           if (direct) printf "; added p99 router %.2f ms, nginx %.2f ms", r, n; else if (m >= 0) printf "; p99 router %.2f ms, nginx %.2f ms", r, n;
           if (lg >= 0) printf "; logged/router %.0f%% (range %.0f-%.0f%%)", 100 * lg, 100 * lr[1], 100 * lr[k];
           printf "\n" }' "$RATIOS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
