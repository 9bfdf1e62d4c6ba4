#!/usr/bin/env bash
# Runs the fault-injection suite (tests/faults/) on its own and prints its table: scenario, outcome,
# exit code, failed requests, failed requests not served by the faulty green inside its window, recovery time.
set -uo pipefail
cd "$(dirname "$0")/.."
export FAULT_REPORT="${FAULT_REPORT:-$(mktemp -t shipgate-faults.XXXXXX.jsonl)}"
: > "$FAULT_REPORT"
npm run build --silent >/dev/null || true
npx vitest run tests/faults --reporter=dot
status=$?
node -e '
const rows = require("node:fs").readFileSync(process.env.FAULT_REPORT, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const head = ["scenario", "outcome", "exit", "failed req", "unexpected", "recovery ms", "note"];
const body = rows.map((r) => [r.scenario, r.outcome, String(r.exitCode), String(r.failedRequests), String(r.unexpectedFailures), r.recoveryMs == null ? "-" : String(r.recoveryMs), r.note]);
const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
console.log("\n" + [line(head), ...body.map(line)].join("\n"));
const survived = rows.filter((r) => r.outcome === "survived").length;
const unexpected = rows.reduce((n, r) => n + Math.max(0, r.unexpectedFailures), 0);
const longest = Math.max(0, ...rows.map((r) => r.recoveryMs ?? 0));
console.log(`\nsurvived ${survived}/${rows.length}; unexpected failed requests ${unexpected}; longest recovery ${longest} ms`);
'
exit $status
