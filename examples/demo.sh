#!/usr/bin/env bash
# Deploys examples/webapp to staging on this machine, for real: blue-green behind shipgate's router on
# http://localhost:4001, verified, rolled back by itself if the release is bad. Run from anywhere:
#   npm run demo                 (from the repository root, after npm ci)
#   bash examples/demo.sh --json (extra arguments go to `deploy staging`)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
app="$root/examples/webapp"

if [ ! -f "$root/dist/bin/deploy.js" ]; then
  echo "demo: building shipgate (npm run build)" >&2
  (cd "$root" && npm run build --silent)
fi
if [ ! -f "$app/node_modules/better-sqlite3/build/Release/better_sqlite3.node" ]; then
  echo "demo: installing the example app's dependencies (better-sqlite3 compiles from source: a few minutes)" >&2
  (cd "$app" && npm ci --no-audit --no-fund)
fi

cd "$app"
# --no-install: use our own `deploy` bin (node_modules/.bin, linked from file:../..), never the npm package
# of that name.
status=0
npx --no-install deploy staging "$@" || status=$?
if [ "$status" -eq 0 ]; then
  echo >&2
  echo "demo: try  curl -i http://localhost:4001/api/items   (x-release names the release)" >&2
  echo "demo: then npx --no-install deploy status staging | deploy rollback staging | deploy stop staging (in examples/webapp)" >&2
fi
exit "$status"
