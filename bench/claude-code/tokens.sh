#!/usr/bin/env bash
# Token figures of the Claude Code path, measured with the real client (node_modules/.bin/claude, headless)
# against the scripted Messages API of tests/claude-code (a contract test double):
#   - what reaches the parent conversation on each /deploy path (tests/claude-code/deploy-chat.test.ts);
#   - the always-on cost per request in a conversation that never deploys (tests/claude-code/always-on.test.ts).
# Columns: o200k_base (gpt-tokenizer) and @anthropic-ai/tokenizer (Anthropic's published Claude 2 era tokenizer;
# an approximation for current models, whose tokenizer is not published).
# Usage: bench/claude-code/tokens.sh   (after npm ci; about 6 minutes: it deploys the example app several times)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mktemp -d "${TMPDIR:-/tmp}/claude-code-tokens-XXXXXX")"
trap 'rm -rf "$out"' EXIT
cd "$root"
npm run build --silent
CLAUDE_CODE_TOKENS_OUT="$out/paths.json" CLAUDE_CODE_ALWAYS_ON_OUT="$out/always-on.json" \
  npx vitest run tests/claude-code/deploy-chat.test.ts tests/claude-code/always-on.test.ts >"$out/vitest.log" 2>&1 \
  || { tail -40 "$out/vitest.log"; exit 1; }
node - "$out/paths.json" "$out/always-on.json" <<'JS'
const [paths, alwaysOn] = process.argv.slice(2).map((f) => JSON.parse(require('fs').readFileSync(f, 'utf8')));
const row = (label, t) => console.log(`| ${label} | ${t.o200k} | ${t.anthropic} |`);
console.log('Parent conversation, per path (budget 800)\n\n| Path | o200k | Anthropic (approx.) |\n| --- | --- | --- |');
for (const [label, t] of Object.entries(paths.figures)) row(label, t);
console.log('\nAlways-on cost per request, never deploying\n\n| Setup | o200k | Anthropic (approx.) |\n| --- | --- | --- |');
for (const [label, t] of Object.entries(alwaysOn)) row(label, t);
JS
