#!/usr/bin/env bash
# Cold start of the detached router as the orchestrator sees it: ensureRouter() until the control socket answers.
# Each run stops the previous daemon first (hyperfine --prepare). The time includes node's own startup.
# Usage: bench/router/startup.sh [runs=10]
if [ -n "${NICE:-}" ] && [ -z "${NICED:-}" ]; then exec env NICED=1 nice -n "$NICE" bash "$0" "$@"; fi
source "$(dirname "$0")/lib.sh"
ensure_tools
build
STATE="$WORK/state"
PORT=19950
SCRIPT="$ROOT/bench/router/start-stop.mjs"
hyperfine --runs "${1:-10}" --warmup 1 \
  --prepare "node $SCRIPT stop $STATE $PORT" \
  --cleanup "node $SCRIPT stop $STATE $PORT" \
  "node $SCRIPT start $STATE $PORT" \
  "node -e 0"
