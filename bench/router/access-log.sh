#!/usr/bin/env bash
# The access log's cost: the router with its access log on (`logged`: a state dir of its own, the default rotation)
# against the same router with it off, in interleaved rounds. Throughput on a shared box swings too much for a few
# percent to show, so this measures CPU time per request of each (cpu-cost.sh) and prints the median ratio; req/s
# in the same rounds is printed too. TLS=1 runs both over HTTPS.
# Usage: bench/router/access-log.sh [rounds=8] [seconds=3] [connections=32]
exec env TARGETS="router logged" bash "$(dirname "$0")/cpu-cost.sh" "${1:-8}" "${2:-3}" "${3:-32}"
