import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT, ensureBuilt } from '../setup/build.js';
import { runClaude, throwawayHome } from './client.js';
import { blocks, isSubagent, startFakeMessagesApi, systemText, type MessagesRequest } from './fake-messages-api.js';
import { count, type TokenCount } from './parent-tokens.js';

/**
 * The always-on cost: what the shipgate commands, agent, skill and hook add to every request of a conversation that
 * never deploys. The real client is asked "hi" three times against the scripted Messages API (CONTRACT TEST):
 * in a bare project, in a project set up by `deploy init --claude`, and with the plugin loaded (--plugin-dir);
 * the difference in what it sends (system prompt, tool list, messages) is the cost.
 */
const BUDGET = 200;
let home: ReturnType<typeof throwawayHome>;
let bare = '';
let withProjectFiles = '';
const figures: Record<string, TokenCount> = {};

async function firstRequest(cwd: string, args: string[] = []): Promise<MessagesRequest> {
  const api = await startFakeMessagesApi(() => ({ text: 'Hello.' }));
  try {
    const run = await runClaude('hi', { cwd, home: home.dir, apiUrl: api.url, args });
    expect(run.code, run.stderr).toBe(0);
    expect(run.result).toBe('Hello.');
    const parent = api.requests.filter((r) => !isSubagent(r));
    expect(parent).toHaveLength(1);
    return parent[0];
  } finally {
    await api.close();
  }
}

/** Everything a request carries for the model; the session's date line is the same in all three. */
function requestText(request: MessagesRequest): string {
  const messages = request.messages.flatMap((m) => blocks(m)).map((b) => (b.type === 'text' ? b.text : JSON.stringify(b)));
  return [systemText(request).replace(/cc_version=[^;]+;/, ''), JSON.stringify(request.tools ?? []), ...messages].join('\n');
}

const repo = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
};

beforeAll(async () => {
  await ensureBuilt();
  home = throwawayHome();
  bare = repo('always-on-bare-');
  withProjectFiles = repo('always-on-init-');
  writeFileSync(join(withProjectFiles, 'deploy.config.yaml'), 'app: x\n');
  execFileSync('node', [CLI, 'init', '--claude'], { cwd: withProjectFiles });
  // Committed in both, so the git status in the system prompt is the same clean one.
  for (const dir of [bare, withProjectFiles]) {
    execFileSync('git', ['add', '-A'], { cwd: dir });
    execFileSync('git', ['-c', 'user.email=a@test', '-c', 'user.name=a', 'commit', '-qm', 'project', '--allow-empty'], { cwd: dir });
  }
});

afterAll(() => {
  home?.remove();
  for (const dir of [bare, withProjectFiles]) if (dir) rmSync(dir, { recursive: true, force: true });
  if (process.env.CLAUDE_CODE_ALWAYS_ON_OUT) writeFileSync(process.env.CLAUDE_CODE_ALWAYS_ON_OUT, JSON.stringify(figures, null, 2) + '\n');
  console.log('always-on cost per request (o200k / @anthropic-ai/tokenizer, an approximation):', JSON.stringify(figures));
});

describe('the always-on cost of shipgate in a conversation that never deploys', () => {
  it(`project files from deploy init --claude and the plugin each add at most ${BUDGET} tokens to a request`, async () => {
    const base = count(requestText(await firstRequest(bare)));
    const project = count(requestText(await firstRequest(withProjectFiles)));
    const plugin = count(requestText(await firstRequest(bare, ['--plugin-dir', join(ROOT, 'plugin')])));
    figures['deploy init --claude (project files)'] = { o200k: project.o200k - base.o200k, anthropic: project.anthropic - base.anthropic };
    figures['plugin (--plugin-dir plugin/)'] = { o200k: plugin.o200k - base.o200k, anthropic: plugin.anthropic - base.anthropic };
    for (const [label, cost] of Object.entries(figures)) {
      expect(cost.o200k, label).toBeGreaterThan(0);
      expect(cost.o200k, label).toBeLessThanOrEqual(BUDGET);
      expect(cost.anthropic, label).toBeLessThanOrEqual(BUDGET);
    }
  }, 240_000);
});
