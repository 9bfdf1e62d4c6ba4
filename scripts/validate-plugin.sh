#!/usr/bin/env bash
# Validates the Claude Code plugin at the repository root with the real validator:
#   claude plugin validate <root> --strict
# The validator comes from the dev dependency @anthropic-ai/claude-code (npm ci).
# Its postinstall only copies the native binary over a stub; when install scripts
# are blocked or skipped the stub stays, so we go through the package's own
# cli-wrapper.cjs, which finds the platform binary in the optional dependency
# (@anthropic-ai/claude-code-<platform>) and runs it. Works offline, no login.
set -euo pipefail

root="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
pkg="$root/node_modules/@anthropic-ai/claude-code"

if [[ ! -f "$pkg/cli-wrapper.cjs" ]]; then
  echo "validate-plugin: @anthropic-ai/claude-code is not installed; run npm ci in $root" >&2
  exit 2
fi

claude() { node "$pkg/cli-wrapper.cjs" "$@"; }

echo "validator: $(claude --version)"
# The directory form validates .claude-plugin/marketplace.json and, through its
# "./plugin" entry, plugin/.claude-plugin/plugin.json, its commands, agent, skill and hooks.
claude plugin validate "$root" --strict
# The manifest on its own, as `claude --plugin-dir` would load it.
claude plugin validate "$root/plugin/.claude-plugin/plugin.json" --strict
