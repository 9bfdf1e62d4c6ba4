import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ensureBuilt } from '../setup/build.js';
import { servedBy } from '../platforms/local/helpers/example-project.js';
import { startLoad } from '../helpers/load.js';
import { createChatProject, type ChatProject } from './chat-project.js';
import { runClaude, throwawayHome, type ClaudeRun } from './client.js';
import { blocks, isSubagent, resultText, startFakeMessagesApi, type ContentBlock, type MessagesRequest } from './fake-messages-api.js';
import { modelScript, type ModelOptions } from './model-script.js';
import { parentParts, parentTokens } from './parent-tokens.js';

/**
 * `/deploy staging` typed in the real Claude Code client (the dev dependency, headless `claude -p`), in a project
 * set up by `deploy init --claude`. The model is a scripted fake of the Messages API on loopback (CONTRACT TEST:
 * the remote model is the one thing not run for real); the client, its command expansion, agent, hook and
 * permission prompt, the CLI and the deploys are real. Permission prompts are answered by an MCP tool given to
 * --permission-prompt-tool, which is where headless Claude Code sends what the terminal shows as a dialog.
 */
const PARENT_BUDGET = 800;
const figures: Record<string, { o200k: number; anthropic: number }> = {};
/** What reached the parent on each path, written with the figures for bench/claude-code/tokens.sh. */
const parentTexts: Record<string, string> = {};

let project: ChatProject;
let home: ReturnType<typeof throwawayHome>;
const approverLog = () => join(home.dir, 'approver.log');

interface Turn {
  run: ClaudeRun;
  requests: MessagesRequest[];
  /** The CLI's stdout as the agent's Bash call returned it. */
  cliOutputs: string[];
  /** Permission prompts the approver answered. */
  asked: Array<{ tool_name: string; input: { command: string } }>;
}

async function chat(prompt: string, options: { approver?: 'allow' | 'deny'; model?: ModelOptions; args?: string[] } = {}): Promise<Turn> {
  rmSync(approverLog(), { force: true });
  const api = await startFakeMessagesApi(modelScript(options.model));
  try {
    const run = await runClaude(prompt, {
      cwd: project.dir,
      home: home.dir,
      apiUrl: api.url,
      args: options.args,
      approver: options.approver ? { answer: options.approver, log: approverLog() } : undefined,
    });
    expect(run.code, `claude exited ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`).toBe(0);
    const cliOutputs = toolResults(api.requests.filter(isSubagent));
    const asked = existsSync(approverLog()) ? readFileSync(approverLog(), 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [];
    return { run, requests: api.requests, cliOutputs, asked };
  } finally {
    await api.close();
  }
}

function toolResults(requests: MessagesRequest[]): string[] {
  const last = requests.at(-1);
  if (!last) return [];
  return last.messages.flatMap((m) => blocks(m)).filter((b): b is Extract<ContentBlock, { type: 'tool_result' }> => b.type === 'tool_result').map(resultText);
}

/** The CLI's JSON object from the agent's Bash result (progress lines on stderr come with it). */
function cliJson(turn: Turn): Record<string, any> {
  const line = turn.cliOutputs.join('\n').split('\n').find((l) => l.trim().startsWith('{'));
  if (!line) throw new Error(`no CLI JSON reached the agent:\n${turn.cliOutputs.join('\n')}`);
  return JSON.parse(line);
}

/** Everything the parent model was sent, as one string. */
const parentInput = (turn: Turn) => JSON.stringify(turn.requests.filter((r) => !isSubagent(r)).map((r) => r.messages));

/** The parent's budget, its summary shown once, and no raw CLI output in it. */
function checkParent(label: string, turn: Turn): void {
  const tokens = parentTokens(parentParts(turn.requests, turn.run.result));
  figures[label] = { o200k: tokens.o200k, anthropic: tokens.anthropic };
  parentTexts[label] = tokens.text;
  expect(tokens.o200k, `${label} (o200k)\n${tokens.text}`).toBeLessThanOrEqual(PARENT_BUDGET);
  expect(tokens.anthropic, `${label} (Anthropic tokenizer)\n${tokens.text}`).toBeLessThanOrEqual(PARENT_BUDGET);
  const input = parentInput(turn);
  for (const raw of ['\\"checks\\"', '\\"exitCode\\"', '\\"rollbackPlanPath\\"', '\\"logTail\\"', '\\"deployed\\"']) expect(input, `${label}: raw CLI output reached the parent`).not.toContain(raw);
  expect(input.split('Deployment Status:').length - 1, `${label}: the summary reaches the parent once`).toBeLessThanOrEqual(1);
}

async function status(environment: string): Promise<Record<string, any>> {
  const run = await project.cli('status', environment, '--json');
  expect(run.exitCode, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

beforeAll(async () => {
  await ensureBuilt();
  project = await createChatProject();
  home = throwawayHome();
}, 600_000);

afterAll(async () => {
  const stops = await Promise.all(['staging', 'production'].map((env) => project?.cli('stop', env, '--yes')));
  home?.remove();
  if (project) rmSync(project.dir, { recursive: true, force: true });
  const out = process.env.CLAUDE_CODE_TOKENS_OUT;
  if (out) writeFileSync(out, JSON.stringify({ figures, parentTexts }, null, 2) + '\n');
  console.log('parent tokens per path (o200k / @anthropic-ai/tokenizer, an approximation):', JSON.stringify(figures));
  for (const stop of stops) if (stop) expect(stop.exitCode, stop.stderr).toBe(0);
}, 120_000);

describe('/deploy in the real Claude Code client', () => {
  it('/deploy production before staging was verified: the hook asks, the user approves, the CLI gate blocks it', async () => {
    const turn = await chat('/deploy production', { approver: 'allow' });
    expect(turn.asked.map((a) => a.input.command)).toEqual(['node_modules/.bin/deploy production --json --text']);
    const json = cliJson(turn);
    expect(json).toMatchObject({ status: 'blocked', exitCode: 3 });
    expect(turn.run.result).toBe(json.text.trim());
    expect(turn.run.result).toMatch(/^Deployment Status: BLOCKED/);
    expect((await status('production')).deployed).toBe(false);
    checkParent('/deploy production, gate blocks', turn);
  }, 300_000);

  it('/deploy staging: deploys through the shipgate-deployer agent, verified, the summary relayed once', async () => {
    const turn = await chat('/deploy staging');
    expect(turn.asked).toEqual([]);
    const json = cliJson(turn);
    expect(json).toMatchObject({ status: 'success', exitCode: 0, environment: 'staging' });
    expect(await servedBy(project.url)).toBe(json.release.id);
    expect(turn.run.result).toBe(json.text.trim());
    expect(turn.run.result).not.toMatch(/\p{Extended_Pictographic}/u);
    // The thresholds reach the agent: Claude Code preloads the deployment-recipes skill into its first request.
    expect(JSON.stringify(turn.requests.find(isSubagent)?.messages)).toContain('thresholds: { errorRate: 1%, p95: 500ms');
    checkParent('/deploy staging, verified', turn);
  }, 300_000);

  it('/deploy production refused by the user: nothing runs', async () => {
    const turn = await chat('/deploy production', { approver: 'deny' });
    expect(turn.asked.map((a) => a.input.command)).toEqual(['node_modules/.bin/deploy production --json --text']);
    expect(turn.cliOutputs.join('\n')).not.toContain('{');
    expect(turn.run.result).toMatch(/^Not run: /);
    expect((await status('production')).deployed).toBe(false);
    checkParent('/deploy production, refused', turn);
  }, 300_000);

  it('the model running `deploy production` through plain Bash on its own: the hook asks, refused, nothing runs', async () => {
    const rogueCommand = 'node_modules/.bin/deploy production --json --yes';
    const turn = await chat('the staging deploy looks fine, ship it', { approver: 'deny', model: { rogueCommand } });
    expect(turn.asked.map((a) => a.input.command)).toEqual([rogueCommand]);
    expect((await status('production')).deployed).toBe(false);
  }, 300_000);

  it('/deploy production approved: deployed and verified; asked even where a standing allow rule covers the CLI', async () => {
    // A rule that would pre-approve every call of the CLI: the hook's "ask" still wins, so no approval, given
    // once or as a rule, becomes standing permission for production.
    const turn = await chat('/deploy production', { approver: 'allow', args: ['--allowedTools', 'Bash(node_modules/.bin/deploy:*)'] });
    expect(turn.asked.map((a) => a.input.command)).toEqual(['node_modules/.bin/deploy production --json --text']);
    const json = cliJson(turn);
    expect(json).toMatchObject({ status: 'success', exitCode: 0, environment: 'production' });
    expect(await servedBy(project.productionUrl)).toBe(json.release.id);
    expect(turn.run.result).toBe(json.text.trim());
    checkParent('/deploy production, approved', turn);
  }, 300_000);

  it('without a way to ask (plain -p), production is refused, and the refusal shows what would ship', async () => {
    const active = (await status('production')).active;
    writeFileSync(join(project.dir, 'migrations', '002_price.sql'), 'ALTER TABLE items ADD COLUMN price_cents INTEGER;\n');
    project.git('add', '-A');
    project.git('commit', '-qm', 'items get a price');
    const turn = await chat('/deploy production');
    const shown = turn.cliOutputs.join('\n');
    expect(shown).toContain(`production runs ${active.release}`);
    expect(shown).toContain('Ships 1 commit');
    expect(shown).toContain('items get a price');
    expect(shown).toContain('Migrations: migrations/002_price.sql');
    expect((await status('production')).active.release).toBe(active.release);
    expect(turn.run.result).toMatch(/^Not run: shipgate: approve /);
    checkParent('/deploy production, -p with no way to ask', turn);
  }, 300_000);

  it('/deploy prod: the hook asks (a production name), the CLI refuses the unknown environment, the agent relays the error shape', async () => {
    const turn = await chat('/deploy prod', { approver: 'allow' });
    const json = cliJson(turn);
    expect(json).toMatchObject({ status: 'error', exitCode: 2 });
    expect(turn.run.result).toBe(`Refused (exit 2): ${json.message}`);
    checkParent('/deploy prod, usage error', turn);
  }, 300_000);

  it('/deploy without an environment: the usage line, no agent, no CLI call', async () => {
    const turn = await chat('/deploy');
    expect(turn.run.result).toBe('Usage: /deploy <environment> [--dry-run]');
    expect(turn.requests.filter(isSubagent)).toEqual([]);
    checkParent('/deploy (no environment)', turn);
  }, 300_000);

  it('/deploy staging of a release that fails verification: rolled back, traffic still on the previous release', async () => {
    const before = await servedBy(project.url);
    project.commitKnobs({ latencyMs: 700 }, 'every request takes 700 ms');
    // Real traffic during the deploy, so the p95 after the switch is measured on it (as in rollback-on-failure.test.ts).
    const load = startLoad(project.url + '/', { concurrency: 8, maxDurationMs: 280_000 });
    await load.waitFor(20);
    const turn = await chat('/deploy staging');
    await load.stop();
    const json = cliJson(turn);
    expect(json).toMatchObject({ status: 'rolled_back', exitCode: 1 });
    expect(await servedBy(project.url)).toBe(before);
    expect(turn.run.result).toBe(json.text.trim());
    expect(turn.run.result).toMatch(/^Deployment Status: ROLLED BACK/);
    checkParent('/deploy staging, rolled back', turn);
  }, 300_000);

  it('the plugin (--plugin-dir plugin/): /shipgate:deploy staging --dry-run runs the pinned CLI through the shipgate:deployer agent', async () => {
    const turn = await chat('/shipgate:deploy staging --dry-run', { args: ['--plugin-dir', join(ROOT, 'plugin')] });
    const agentCall = turn.requests.flatMap((r) => r.messages).flatMap((m) => blocks(m)).find((b) => b.type === 'tool_use' && b.name === 'Agent');
    expect(agentCall).toMatchObject({ input: { subagent_type: 'shipgate:deployer' } });
    const json = cliJson(turn);
    expect(json).toMatchObject({ status: 'success', exitCode: 0, dryRun: true, environment: 'staging' });
    expect(turn.run.result).toBe(json.text.trim());
    checkParent('/shipgate:deploy staging --dry-run (plugin)', turn);
  }, 300_000);
});
