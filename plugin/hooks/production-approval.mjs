#!/usr/bin/env node
// Claude Code PreToolUse hook (Bash): asks the user before every shipgate call that changes a production
// environment (deploy, rollback, stop, flag change, canary promote/abort, unlock...), whoever issues it: the
// /deploy command, the deployer agent or the model on its own. The question shows what would ship: the
// commits and migration files between what production runs and what would be deployed. "ask" is returned
// for every such call, so one approval covers one call. Read-only calls (status, history, --dry-run) pass.
// A single non-production shipgate call by the shipgate deployer agent is allowed, so /deploy staging needs
// no permission setup. Every other command gets no decision from this hook.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Environments whose changes need the user's approval. */
export const PROTECTED = /^prod(uction)?$/i;
const DEPLOYER_AGENTS = new Set(['shipgate-deployer', 'shipgate:deployer']);
const READ_ONLY_COMMANDS = new Set(['status', 'history', 'init', 'help']);
const READ_ONLY_FLAG_ACTIONS = new Set(['list', 'audit']);
const OPTIONS_WITH_VALUE = new Set([
  '--config', '--strategy', '--ref', '--lock-wait', '--reason', '--to', '--percent', '--steps', '--interval',
  '--min-requests', '--user-header', '-n', '--limit',
]);
const SUBCOMMANDS = new Set(['status', 'history', 'rollback', 'stop', 'unlock', 'guard', 'init', 'promote', 'abort', 'flags', 'pause', 'maintenance', 'resume', 'recover', 'service', 'help']);
const RUNNERS = new Set(['npx', 'bunx', 'pnpx', 'node', 'exec', 'env', 'command', 'nohup', 'time', 'sudo']);
/** Shell operators that end one simple command and start another. */
const SEPARATORS = /\|\||&&|[;|&\n()`]|\$\(/;

/** Splits a shell line into words, honouring simple quotes; good enough to find program names and arguments. */
export function words(line) {
  const out = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of line.matchAll(pattern)) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** The arguments after the shipgate program in one simple command, or null when it does not run shipgate. */
export function shipgateArgs(segment) {
  const w = words(segment.trim());
  let i = 0;
  while (i < w.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w[i])) i++;
  for (; i < w.length; i++) {
    const word = w[i];
    const name = basename(word);
    if (name === 'deploy' || name === 'shipgate' || name === 'shipgate.mjs' || /^shipgate@/.test(word) || /(^|\/)(dist\/)?src\/cli\/main\.[jt]s$/.test(word)) return w.slice(i + 1);
    if (RUNNERS.has(name) || word.startsWith('-') || (w[i - 1] === 'npm' || w[i - 1] === 'pnpm' || w[i - 1] === 'yarn') && ['exec', 'run', 'x', 'dlx'].includes(word)) continue;
    if (name === 'npm' || name === 'pnpm' || name === 'yarn') continue;
    return null;
  }
  return null;
}

/** What one shipgate call does: its command, the environment it names and whether it changes anything. */
export function classify(args) {
  const positional = [];
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--dry-run') dryRun = true;
    if (a.startsWith('-')) {
      if (OPTIONS_WITH_VALUE.has(a)) i++;
      continue;
    }
    positional.push(a);
  }
  const command = SUBCOMMANDS.has(positional[0]) ? positional[0] : 'deploy';
  const rest = command === 'deploy' ? positional : positional.slice(1);
  const environment = rest[0] ?? null;
  const readOnly =
    dryRun || READ_ONLY_COMMANDS.has(command) || (command === 'flags' && READ_ONLY_FLAG_ACTIONS.has(rest[1] ?? 'list')) || (command === 'guard' && !args.includes('--stop'));
  return { command, environment, readOnly, ref: valueOf(args, '--ref'), to: valueOf(args, '--to'), flag: command === 'flags' ? rest.slice(1).join(' ') : null };
}

function valueOf(args, option) {
  const i = args.indexOf(option);
  if (i >= 0) return args[i + 1] ?? null;
  const inline = args.find((a) => a.startsWith(`${option}=`));
  return inline ? inline.slice(option.length + 1) : null;
}

/** The shipgate calls of a shell line, each with the program words that ran it. */
export function shipgateCalls(line) {
  const calls = [];
  for (const segment of line.split(SEPARATORS)) {
    const args = shipgateArgs(segment);
    if (!args) continue;
    const all = words(segment.trim()).filter((w, i, list) => !list.slice(0, i + 1).every((x) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(x)));
    calls.push({ segment: segment.trim(), args, prefix: all.slice(0, all.length - args.length), ...classify(args) });
  }
  return calls;
}

/** The hook's answer for one PreToolUse input; `run` runs a program and returns its stdout (injected in tests). */
export function decide(input, run = runProgram) {
  if (input.tool_name !== 'Bash') return null;
  const line = String(input.tool_input?.command ?? '');
  const calls = shipgateCalls(line);
  const guarded = calls.find((c) => !c.readOnly && c.environment && PROTECTED.test(c.environment));
  if (guarded) return answer('ask', approvalText(guarded, input.cwd ?? process.cwd(), run));
  const single = calls.length === 1 && !SEPARATORS.test(line) && !/[<>$]/.test(line);
  if (single && DEPLOYER_AGENTS.has(input.agent_type ?? '')) return answer('allow', `shipgate: ${calls[0].command} ${calls[0].environment ?? ''} by the deployer agent`.trim());
  return null;
}

function answer(permissionDecision, permissionDecisionReason) {
  return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason } };
}

/** What the user is asked: the action, then what production runs and what would ship. */
export function approvalText(call, cwd, run) {
  const env = call.environment;
  const lines = [`shipgate: approve \`${call.segment}\`? (${env}; this call only)`];
  const status = productionState(call, cwd, run);
  if (status.error) lines.push(`${env} state unknown: ${status.error}`);
  else if (!status.active) lines.push(`${env} runs nothing yet.`);
  else lines.push(`${env} runs ${status.active.release} (commit ${short(status.active.commit)}, since ${status.active.since}).`);

  if (call.command === 'deploy') lines.push(...whatShips(status.active?.commit ?? null, call.ref ?? 'HEAD', cwd, run));
  else if (call.command === 'rollback') lines.push(`Traffic goes back to ${call.to ?? status.previous?.release ?? 'the previous release'}.`);
  else if (call.command === 'flags') lines.push(`Flag change: ${call.flag || '(see command)'}.`);
  return lines.join('\n');
}

function productionState(call, cwd, run) {
  const out = run(call.prefix[0], [...call.prefix.slice(1), 'status', call.environment, '--json'], cwd);
  if (out.error) return { error: out.error };
  try {
    return JSON.parse(out.stdout);
  } catch {
    return { error: 'status printed no JSON' };
  }
}

/** Commits and migration files from what production runs to the ref being deployed. */
export function whatShips(activeCommit, ref, cwd, run) {
  const range = activeCommit ? `${activeCommit}..${ref}` : ref;
  const log = run('git', ['log', '--oneline', '--no-decorate', '-n', '11', range], cwd);
  if (log.error) return [`Commits: unknown (${log.error})`];
  const commits = log.stdout.split('\n').filter(Boolean);
  const lines = [`Ships ${commits.length > 10 ? 'more than 10' : commits.length} commit${commits.length === 1 ? '' : 's'}${activeCommit ? '' : ' (first deploy: the whole history up to ' + ref + ')'}:`];
  lines.push(...commits.slice(0, 10).map((c) => `  ${c.length > 72 ? `${c.slice(0, 71)}…` : c}`));
  const files = activeCommit ? run('git', ['diff', '--name-only', range], cwd) : run('git', ['ls-tree', '-r', '--name-only', ref], cwd);
  const migrations = files.error ? [] : files.stdout.split('\n').filter((f) => /migrat/i.test(f));
  lines.push(migrations.length ? `Migrations: ${migrations.slice(0, 10).join(', ')}${migrations.length > 10 ? ', ...' : ''}` : 'Migrations: none');
  return lines;
}

const short = (commit) => (commit ? String(commit).slice(0, 7) : 'unknown');

function runProgram(file, args, cwd) {
  const r = spawnSync(file, args, { cwd, encoding: 'utf8', timeout: 15_000, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) return { error: r.error.message };
  if (r.status !== 0) return { error: (r.stderr || r.stdout || `exit ${r.status}`).trim().split('\n').pop() };
  return { stdout: r.stdout };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  let decision = null;
  try {
    decision = decide(JSON.parse(readFileSync(0, 'utf8')));
  } catch (error) {
    // A hook that cannot read its input must not let a production call through silently.
    decision = answer('ask', `shipgate approval hook failed (${error.message}); check the command before approving.`);
  }
  if (decision) process.stdout.write(JSON.stringify(decision) + '\n');
}
