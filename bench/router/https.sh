#!/usr/bin/env bash
# HTTPS throughput and added p99: the router's TLS listener against nginx with TLS (1 worker, keepalive upstream), the
# same self-signed certificate (openssl, RSA 2048), the same upstream, in the same run, interleaved round by round.
# "Added p99" is the proxy's p99 minus the p99 of the upstream reached directly (plain HTTP) in the same round.
# Targets of issue 21: router >= 80% of nginx's req/s, added p99 <= 1.5x nginx's.
# Usage: bench/router/https.sh [rounds=6] [seconds=5] [connections=32]   (TARGETS="direct nginx router logged" adds
# the router with its access log on; BEFORE=<dir> adds the router of another built checkout, see throughput.sh)
exec env TLS=1 TARGETS="${TARGETS:-direct nginx router${BEFORE:+ before}}" bash "$(dirname "$0")/throughput.sh" "${1:-6}" "${2:-5}" "${3:-32}"
