import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pluginRoot } from './plugin-files.js';

/**
 * Installs the plugin the way docs/claude-code.md says (marketplace add, then
 * install deploy@shipgate) with the real Claude Code CLI into a throwaway HOME,
 * and reads back what Claude Code loaded. The checkout copy holds only the plugin's
 * own files, so the install does not run npm ci on the whole repository.
 */
const wrapper = join(pluginRoot, 'node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs');
let home = '';
let checkout = '';

async function claude(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('node', [wrapper, ...args], {
    cwd: checkout,
    encoding: 'utf8',
    env: { ...process.env, HOME: home, DISABLE_TELEMETRY: '1', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1' },
  });
  return stdout;
}

beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), 'plugin-home-'));
  checkout = mkdtempSync(join(tmpdir(), 'plugin-checkout-'));
  for (const dir of ['.claude-plugin', 'commands', 'agents', 'bundles']) cpSync(join(pluginRoot, dir), join(checkout, dir), { recursive: true });
});

afterAll(() => {
  for (const dir of [home, checkout]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('claude plugin install deploy@shipgate', () => {
  it('installs from a checkout and loads the commands, the agent and the bundle as the skill deployment-recipes', async () => {
    expect(await claude('plugin', 'marketplace', 'add', checkout)).toContain('shipgate');
    expect(await claude('plugin', 'install', 'deploy@shipgate')).toContain('deploy@shipgate');

    const details = await claude('plugin', 'details', 'deploy@shipgate');
    const skills = /Skills \(\d+\)\s+(.*)/.exec(details)?.[1].split(/,\s*/) ?? [];
    expect(skills.sort()).toEqual(['deploy', 'deploy-status', 'deployment-recipes', 'rollback']);
    expect(details).toMatch(/Agents \(1\)\s+deployment-orchestrator/);
    expect(details).toMatch(/Hooks \(0\)/);
  }, 120_000);
});
