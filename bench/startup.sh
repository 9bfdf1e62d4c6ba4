#!/usr/bin/env bash
# Start-up time of the CLI: `deploy --help` against a bare `node -e 0`. Target: ratio <= 1.5.
# Usage: bash bench/startup.sh   (builds first if dist/ is missing; installs hyperfine from Debian if needed)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v hyperfine >/dev/null 2>&1; then
  (apt-get install -y hyperfine || (apt-get update && apt-get install -y hyperfine)) >/dev/null
fi
[ -f dist/bin/deploy.js ] || npm run build >/dev/null

mkdir -p bench/results
out=bench/results/startup.json
hyperfine --warmup 5 --min-runs 30 --shell=none --export-json "$out" \
  --command-name 'node -e 0' 'node -e 0' \
  --command-name 'deploy --help' 'node dist/bin/deploy.js --help' \
  --command-name 'deploy status --help' 'node dist/bin/deploy.js status --help' >&2

node -e '
const r = require(process.argv[1]).results;
const cpu = (x) => x.user + x.system;
for (const x of r) console.log(`${x.command.padEnd(22)} ${(x.mean * 1000).toFixed(1).padStart(6)} ms ±${(x.stddev * 1000).toFixed(1).padStart(5)}  wall ratio ${(x.mean / r[0].mean).toFixed(2)}  cpu ratio ${(cpu(x) / cpu(r[0])).toFixed(2)}`);
const ratio = r[1].mean / r[0].mean;
console.log(`deploy --help / node -e 0 = ${ratio.toFixed(2)} wall, ${(cpu(r[1]) / cpu(r[0])).toFixed(2)} cpu (target <= 1.5)`);
process.exit(ratio <= 1.5 ? 0 : 1);
' "$PWD/$out"
