# Shared helpers for the router benchmarks. Sourced, not run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORK="$(mktemp -d /tmp/shipgate-bench.XXXXXX)"
PIDS=()

# With the kernel's autogroup scheduling (on here), CPU is shared between sessions first, so `nice` alone only ranks
# processes inside this session. The scripts re-exec themselves under `setsid` (a session, and so an autogroup, of
# their own) and give that autogroup the NICE value too.
if [ -n "${NICE:-}" ] && [ -w /proc/self/autogroup ]; then echo "$NICE" >/proc/self/autogroup 2>/dev/null || true; fi

ensure_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx)
  command -v hyperfine >/dev/null || missing+=(hyperfine)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  [ -n "${NO_BUILD:-}" ] && return 0
  (cd "$ROOT" && npm run build --silent >/dev/null 2>&1 || true)
  test -f "$ROOT/dist/src/router/router.js" || { echo "build failed: dist/src/router/router.js missing" >&2; exit 1; }
}

wait_port() {
  wait_url "http://127.0.0.1:$1/"
}

# Waits until a URL answers (any status; -k: the HTTPS runs use a self-signed certificate).
wait_url() {
  for _ in $(seq 200); do
    curl -sk -o /dev/null "$1" && return 0
    sleep 0.05
  done
  echo "$1 did not answer" >&2
  return 1
}

start_bg() {
  "$@" >"$WORK/$(basename "$1").$RANDOM.log" 2>&1 &
  PIDS+=($!)
}

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid" 2>/dev/null)" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# The app behind the proxies: the tiny upstream.mjs, or `example` for the example app (installed on first use).
start_upstream_app() {
  local port=$1 kind=$2
  if [ "$kind" = example ]; then
    [ -d "$ROOT/examples/webapp/node_modules/better-sqlite3" ] || (cd "$ROOT/examples/webapp" && npm ci --silent >/dev/null)
    start_bg env PORT="$port" HOST=127.0.0.1 RELEASE_ID=bench DATABASE_URL="sqlite:$WORK/app.db" node "$ROOT/examples/webapp/server.js"
  else
    start_bg env PORT="$port" node "$ROOT/bench/router/upstream.mjs"
  fi
}

# A self-signed certificate (RSA 2048, CN localhost) for the HTTPS runs, shared by nginx and the router; the key is
# 0600, as the router requires. Sets CERT and KEY.
make_cert() {
  CERT="$WORK/cert.pem" KEY="$WORK/key.pem"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout "$KEY" -out "$CERT" 2>/dev/null
  chmod 600 "$KEY"
}

# nginx with one worker and a keepalive upstream, the comparison the issue asks for. With TLS=1 it listens with TLS
# (make_cert's certificate, session cache, and no cap on requests per connection, as the router has none: no new
# handshakes in the run).
start_nginx() {
  local listen=$1 upstream=$2
  local ssl="" ssl_lines=""
  if [ -n "${TLS:-}" ]; then
    ssl=" ssl"
    ssl_lines="ssl_certificate $CERT; ssl_certificate_key $KEY; ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:SSL:1m; keepalive_requests 1000000;"
  fi
  cat >"$WORK/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections ${NGINX_CONNECTIONS:-4096}; }
http {
  access_log off;
  upstream app { server 127.0.0.1:$upstream; keepalive 64; }
  server {
    listen 127.0.0.1:$listen$ssl;
    $ssl_lines
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
    }
  }
}
CONF
  nginx -c "$WORK/nginx.conf" -p "$WORK" &
  PIDS+=($!)
}

# The URL wrk loads for a target, from the ports the script set (APP, NGINX, ROUTER, NAIVE, LOGGED, BEFORE_PORT, and
# with TLS=1 ROUTER_TLS, LOGGED_TLS and BEFORE_TLS), and URL_PATH. With TLS=1 the proxies are reached over HTTPS; the
# app directly stays plain HTTP.
url_of() {
  local path=${URL_PATH:-}
  if [ -n "${TLS:-}" ]; then
    case $1 in direct) echo "http://127.0.0.1:$APP/$path" ;; nginx) echo "https://127.0.0.1:$NGINX/$path" ;; router) echo "https://127.0.0.1:$ROUTER_TLS/$path" ;; logged) echo "https://127.0.0.1:$LOGGED_TLS/$path" ;; before) echo "https://127.0.0.1:$BEFORE_TLS/$path" ;; esac
  else
    case $1 in direct) echo "http://127.0.0.1:$APP/$path" ;; nginx) echo "http://127.0.0.1:$NGINX/$path" ;; router) echo "http://127.0.0.1:$ROUTER/$path" ;; naive) echo "http://127.0.0.1:$NAIVE/$path" ;; logged) echo "http://127.0.0.1:$LOGGED/$path" ;; before) echo "http://127.0.0.1:$BEFORE_PORT/$path" ;; esac
  fi
}

# Prints "<req/s> <p50 ms> <p99 ms> <non-2xx+errors>" for one wrk run.
wrk_run() {
  local url=$1 seconds=$2 conns=${3:-32}
  local out
  out=$(wrk -t2 -c"$conns" -d"${seconds}s" --latency "$url")
  local rps p50 p99 bad
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",","");n+=$4+$6+$8+$10} END {print n+0}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99") $bad"
}

to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.3f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.3f", v * 1000 }
    else print v }'
}
