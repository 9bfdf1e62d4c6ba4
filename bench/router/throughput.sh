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
# TLS. The naive proxy has no TLS and is left out. BEFORE=<dir> adds the target `before`: the router of another built
# checkout (`git worktree add <dir> <commit> && (cd <dir> && npm ci && npm run build)`), measured in the same rounds,
# for a before/after A/B. URL_PATH=big asks every target for upstream.mjs's /big (BIG_KB KiB, default 256).
# Usage: bench/router/throughput.sh [rounds=3] [seconds=10] [connections=32]
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 setsid nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CONNS=${3:-32}
read -r -a TARGET_LIST <<<"${TARGETS:-direct nginx router$([ -n "${TLS:-}" ] || echo " naive")$([ -z "${BEFORE:-}" ] || echo " before")}"
has() { [[ " ${TARGET_LIST[*]} " == *" $1 "* ]]; }
ensure_tools
build

APP=19101 NGINX=19102 ROUTER=19103 NAIVE=19104 LOGGED=19105 ROUTER_TLS=19106 LOGGED_TLS=19107 BEFORE_PORT=19108 BEFORE_TLS=19109
tls_env=()
if [ -n "${TLS:-}" ]; then
  make_cert
  tls_env=(TLS_CERT="$CERT" TLS_KEY="$KEY")
fi
start_upstream_app $APP "${UPSTREAM_APP:-tiny}"
start_nginx $NGINX $APP
start_bg env PORT=$ROUTER UPSTREAM=http://127.0.0.1:$APP WORKERS="${WORKERS:-}" ${TLS:+TLS_PORT=$ROUTER_TLS} "${tls_env[@]}" node "$ROOT/bench/router/run-router.mjs"
has logged && start_bg env PORT=$LOGGED UPSTREAM=http://127.0.0.1:$APP ACCESS_LOG=1 ${TLS:+TLS_PORT=$LOGGED_TLS} "${tls_env[@]}" node "$ROOT/bench/router/run-router.mjs"
if has before; then
  [ -f "${BEFORE:-}/bench/router/run-router.mjs" ] || { echo "BEFORE=${BEFORE:-}: not a built checkout (bench/router/run-router.mjs, dist/)" >&2; exit 1; }
  start_bg env PORT=$BEFORE_PORT UPSTREAM=http://127.0.0.1:$APP ${TLS:+TLS_PORT=$BEFORE_TLS} "${tls_env[@]}" node "$BEFORE/bench/router/run-router.mjs"
fi
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
  # One line per round of "name value" pairs: each proxy's req/s share and p99 against nginx's, its added p99 (its
  # p99 minus the direct app's), and the access log's share against the router without it.
  line=""
  for target in "${TARGET_LIST[@]}"; do
    [ "$target" = direct ] && continue
    if has nginx && [ "$target" != nginx ]; then
      line+=" share.$target $(awk -v a="${RPS[$target.$round]}" -v b="${RPS[nginx.$round]}" 'BEGIN { print a / b }')"
      line+=" p99x.$target $(awk -v a="${P99[$target.$round]}" -v b="${P99[nginx.$round]}" 'BEGIN { print (b > 0 ? a / b : 0) }')"
    fi
    has direct && line+=" added.$target $(awk -v a="${P99[$target.$round]}" -v b="${P99[direct.$round]}" 'BEGIN { print a - b }')"
  done
  has logged && has router && line+=" logged/router $(awk -v a="${RPS[logged.$round]}" -v b="${RPS[router.$round]}" 'BEGIN { print a / b }')"
  echo "$line" >>"$RATIOS"
  echo "round $round:$(awk '{ for (i = 1; i < NF; i += 2) printf " %s %s", $i, ($i ~ /^added/ ? sprintf("%.2f ms", $(i + 1)) : sprintf("%.2f", $(i + 1))) }' <<<"$line")"
done
# Medians over the rounds: shares and p99 ratios against nginx in the same round; added p99 in ms.
awk '
  function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                    return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
  { rounds++; for (i = 1; i < NF; i += 2) { key = $i; if (!(key in count)) keys[++nkeys] = key; values[key, ++count[key]] = $(i + 1) } }
  END {
    printf "median of %d rounds:\n", rounds;
    for (j = 1; j <= nkeys; j++) {
      key = keys[j]; k = count[key]; delete a; for (i = 1; i <= k; i++) a[i] = values[key, i];
      m = median(a, k);
      if (key ~ /^added/) printf "  %-15s %8.2f ms   (range %.2f to %.2f)\n", key, m, a[1], a[k];
      else if (key ~ /^p99x/) printf "  %-15s %8.2fx    (range %.2f-%.2fx)\n", key, m, a[1], a[k];
      else printf "  %-15s %8.0f%%    (range %.0f-%.0f%%)\n", key, 100 * m, 100 * a[1], 100 * a[k];
    }
  }' "$RATIOS"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
