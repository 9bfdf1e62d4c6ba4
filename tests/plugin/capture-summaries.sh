#!/usr/bin/env bash
# Captures two real DeploySummary objects for tests/plugin/tokens.test.ts by deploying a
# git copy of the example app to staging with the built CLI: a verified first deploy, then
# a commit that makes 20% of requests fail, which the CLI rolls back. Stops the environment.
# Usage: tests/plugin/capture-summaries.sh   (after npm run build; takes about a minute)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/tests/plugin/fixtures"
cli="$root/dist/src/cli/main.js"
project="$(mktemp -d "${TMPDIR:-/tmp}/plugin-capture-XXXXXX")"
trap 'node "$cli" stop staging --yes >/dev/null 2>&1 || true; rm -rf "$project"' EXIT

(cd "$root/examples/webapp" && tar --exclude=node_modules --exclude=.deploy --exclude='data/*.db' -cf - .) | tar -xf - -C "$project"
ln -s "$root/examples/webapp/node_modules" "$project/node_modules"
cd "$project"
port="$(node -e 'const s=require("net").createServer().listen(0,()=>{console.log(s.address().port);s.close()})')"
sed -i "s/staging: { port: [0-9]*/staging: { port: $port/" deploy.config.yaml
git init -q && echo node_modules > .git/info/exclude
git add -A && git -c user.email=capture@test -c user.name=capture commit -qm "example app"

# The first deploy goes through the chat path: the shell step of plugin/commands/deploy.md,
# expanded as Claude Code expands it, run by bash as its Bash tool runs it.
step="$(sed -n '/^```sh$/{n;p;q}' "$root/plugin/commands/deploy.md")"
step="${step//'${CLAUDE_PLUGIN_ROOT}'/$root/plugin}"
step="${step//'$ARGUMENTS'/staging}"
echo "chat step: $step" >&2
status=0
bash -c "$step" > "$out/real-verified.json" || status=$?
[[ $status -eq 0 ]] || { echo "first deploy exited $status" >&2; exit 1; }

node -e 'const f="knobs.json",k=JSON.parse(require("fs").readFileSync(f));k.errorRate=0.2;require("fs").writeFileSync(f,JSON.stringify(k,null,2)+"\n")'
git -c user.email=capture@test -c user.name=capture commit -qam "20% of requests fail"
status=0
node "$cli" staging --json > "$out/real-rolled-back.json" || status=$?
[[ $status -eq 1 ]] || { echo "broken deploy exited $status, expected 1 (rolled back)" >&2; exit 1; }
echo "captured $out/real-verified.json and $out/real-rolled-back.json"
