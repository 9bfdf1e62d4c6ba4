import { beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { cliPath, ensureBuilt } from './build.js';
import { expandCommand, pluginDir, pluginRoot, readMarkdown, shellBlocks } from './plugin-files.js';

/**
 * The chat path and the terminal path are the same code path: the shell step that
 * plugin/commands/*.md hand to the agent, expanded the way Claude Code expands it and run
 * through bash the way its Bash tool runs it, gives the same result as running the
 * CLI by hand. The plugin's runner (bin/shipgate.mjs) finds the project's pinned CLI:
 * the copy's node_modules is the example app's, which pins shipgate (file:../..).
 */
const exampleApp = join(pluginRoot, 'examples/webapp');
let project = '';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: project, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Both sides' stderr, for a failure message. */
function why(chat: Exit, terminal: Exit): string {
  return `chat (exit ${chat.code}) stderr:\n${chat.stderr}\nterminal (exit ${terminal.code}) stderr:\n${terminal.stderr}`;
}

function parse(stdout: string, label: string): Record<string, any> {
  try {
    return JSON.parse(stdout);
  } catch {
    throw new Error(`${label}: stdout is not one JSON object:\n${stdout}`);
  }
}

/** The command file's shell step with ${CLAUDE_PLUGIN_ROOT} and $ARGUMENTS filled in, run by bash. */
function chatLine(command: string, args: string): string {
  const [step] = shellBlocks(readMarkdown(`plugin/commands/${command}.md`).body);
  return expandCommand(step, pluginDir, args);
}

const fromChat = (line: string) => run('bash', ['-c', line]);
const fromTerminal = (...args: string[]) => run('node', [cliPath, ...args]);

/** What must not differ between the two paths (timings and ids may). */
function outcome(stdout: string, label: string) {
  const json = parse(stdout, label);
  return {
    status: json.status,
    environment: json.environment,
    strategy: json.strategy,
    platform: json.platform,
    dryRun: json.dryRun,
    exitCode: json.exitCode,
    pre: (json.checks?.pre ?? []).map((c: any) => ({ name: c.name, ok: c.ok, warning: c.warning ?? false })),
    post: (json.checks?.post ?? []).map((c: any) => ({ name: c.name, ok: c.ok })),
    plan: json.plan,
  };
}

beforeAll(async () => {
  await ensureBuilt();
  project = mkdtempSync(join(tmpdir(), 'plugin-chat-path-'));
  cpSync(exampleApp, project, {
    recursive: true,
    filter: (src) => !/\/(node_modules|\.deploy)(\/|$)/.test(src) && !src.endsWith('.db'),
  });
  // The app's own tests (a pre-check) need better-sqlite3 from the example's install.
  if (existsSync(join(exampleApp, 'node_modules'))) symlinkSync(join(exampleApp, 'node_modules'), join(project, 'node_modules'));
  // Releases come from git: make the copy a repository with one clean commit.
  const git = async (...args: string[]) => {
    const r = await run('git', args);
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  };
  await git('init', '-q');
  writeFileSync(join(project, '.git/info/exclude'), 'node_modules\n');
  await git('add', '-A');
  await git('-c', 'user.email=plugin@test', '-c', 'user.name=plugin test', 'commit', '-qm', 'example app');
  return () => rmSync(project, { recursive: true, force: true });
}, 180_000);

describe('the chat path runs the same CLI as the terminal', () => {
  it('/deploy staging --dry-run: same status, environment, checks and plan as `deploy staging --dry-run --json`', async () => {
    const line = chatLine('deploy', 'staging --dry-run');
    expect(line).toBe(`node ${pluginDir}/bin/shipgate.mjs staging --dry-run --json --text`);
    const [chat, terminal] = [await fromChat(line), await fromTerminal('staging', '--dry-run', '--json')];

    const result = outcome(chat.stdout, line);
    expect(result).toMatchObject({ environment: 'staging', dryRun: true });
    expect(chat.code, why(chat, terminal)).toBe(terminal.code);
    expect(result).toEqual(outcome(terminal.stdout, 'terminal'));
    // A dry run changes nothing: no release was made.
    expect(existsSync(join(project, '.deploy/staging/releases'))).toBe(false);

    // What the agent relays: the CLI's own plain-text summary.
    const summary = String(parse(chat.stdout, line).text);
    expect(summary).toMatch(/^Deployment Status: SUCCESS \(dry run, nothing changed\) \(exit 0\)/);
    expect(summary).toMatch(/\nPlan: pre-checks .* \| release: /);
    const tokens = countTokens(summary);
    console.log(`plain-text summary of the real dry run (o200k_base): ${tokens} tokens`);
    expect(tokens).toBeLessThanOrEqual(300);
  });

  it('/deploy-status and /rollback run the same calls as the terminal', async () => {
    const status = await fromChat(chatLine('deploy-status', 'staging'));
    expect(parse(status.stdout, 'chat')).toEqual(parse((await fromTerminal('status', 'staging', '--json')).stdout, 'terminal'));

    const line = chatLine('rollback', 'staging --dry-run');
    expect(line).toBe(`node ${pluginDir}/bin/shipgate.mjs rollback staging --dry-run --json --text`);
    const [chat, terminal] = [await fromChat(line), await fromTerminal('rollback', 'staging', '--dry-run', '--json')];
    expect(chat.code, why(chat, terminal)).toBe(terminal.code);
    expect(outcome(chat.stdout, line)).toEqual(outcome(terminal.stdout, 'terminal'));
  });

  it('an unknown environment fails the same way on both paths (exit 2, one line, nothing created)', async () => {
    const chat = await fromChat(chatLine('deploy', 'qa'));
    const terminal = await fromTerminal('qa', '--json');
    expect(chat.code, why(chat, terminal)).toBe(2);
    expect(terminal.code, why(chat, terminal)).toBe(2);
    expect(chat.stderr.trim()).toBe(terminal.stderr.trim());
    expect(chat.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(join(project, '.deploy/qa'))).toBe(false);
  });
});
