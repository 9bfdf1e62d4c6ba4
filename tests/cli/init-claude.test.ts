import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt } from '../setup/build.js';
import { runCli } from './helpers.js';

/** `deploy init --claude`: the project-level Claude Code files, so `/deploy staging` works as typed. */
let dir = '';
beforeAll(async () => ensureBuilt());
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FILES = [
  '.claude/commands/deploy.md',
  '.claude/commands/rollback.md',
  '.claude/commands/deploy-status.md',
  '.claude/agents/shipgate-deployer.md',
  '.claude/skills/deployment-recipes/SKILL.md',
  '.claude/hooks/shipgate-approval.mjs',
  '.claude/settings.json',
];
const read = (path: string) => readFileSync(join(dir, path), 'utf8');

describe('deploy init --claude', () => {
  it('writes the commands, agent, skill, hook and settings, running the pinned CLI; the config too when missing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'init-claude-'));
    const run = await runCli(['init', '--claude'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    for (const file of [...FILES, 'deploy.config.yaml']) expect(existsSync(join(dir, file)), file).toBe(true);
    expect(read('.claude/commands/deploy.md')).toContain('```sh\nnode_modules/.bin/deploy $ARGUMENTS --json --text\n```');
    expect(read('.claude/commands/deploy.md')).toContain('the shipgate-deployer agent');
    expect(read('.claude/agents/shipgate-deployer.md')).toMatch(/^name: shipgate-deployer$/m);
    for (const file of FILES) expect(read(file), file).not.toMatch(/CLAUDE_PLUGIN_ROOT|shipgate:deployer/);
    expect(JSON.parse(read('.claude/settings.json'))).toEqual({
      hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/shipgate-approval.mjs"' }] }] },
    });
    expect(statSync(join(dir, '.claude/hooks/shipgate-approval.mjs')).mode & 0o111).not.toBe(0);
  });

  it('keeps existing settings and adds the hook once; running it again changes nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'init-claude-'));
    writeFileSync(join(dir, 'deploy.config.yaml'), 'app: x\n');
    mkdirSync(join(dir, '.claude'));
    const mine = { permissions: { allow: ['Bash(npm test)'] }, hooks: { PreToolUse: [{ matcher: 'Edit', hooks: [{ type: 'command', command: 'lint' }] }] } };
    writeFileSync(join(dir, '.claude/settings.json'), JSON.stringify(mine));
    expect((await runCli(['init', '--claude'], { cwd: dir })).code).toBe(0);
    const first = Object.fromEntries(FILES.map((f) => [f, read(f)]));
    expect((await runCli(['init', '--claude'], { cwd: dir })).code).toBe(0);
    expect(Object.fromEntries(FILES.map((f) => [f, read(f)]))).toEqual(first);
    const settings = JSON.parse(read('.claude/settings.json'));
    expect(settings.permissions).toEqual(mine.permissions);
    expect(settings.hooks.PreToolUse).toHaveLength(2);
    expect(settings.hooks.PreToolUse[0]).toEqual(mine.hooks.PreToolUse[0]);
    expect(read('deploy.config.yaml')).toBe('app: x\n');
  });

  it('refuses to overwrite a changed file or a broken settings.json: one line, exit 2, nothing written', async () => {
    dir = mkdtempSync(join(tmpdir(), 'init-claude-'));
    writeFileSync(join(dir, 'deploy.config.yaml'), 'app: x\n');
    mkdirSync(join(dir, '.claude/commands'), { recursive: true });
    writeFileSync(join(dir, '.claude/commands/deploy.md'), 'my own /deploy\n');
    let run = await runCli(['init', '--claude'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual(['deploy: .claude/commands/deploy.md already exists with other content; not overwriting (move them away to regenerate)']);
    expect(existsSync(join(dir, '.claude/agents'))).toBe(false);

    rmSync(join(dir, '.claude/commands/deploy.md'));
    writeFileSync(join(dir, '.claude/settings.json'), '{ broken');
    run = await runCli(['init', '--claude'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('deploy: .claude/settings.json is not valid JSON; fix it, then run `deploy init --claude` again');
    expect(existsSync(join(dir, '.claude/agents'))).toBe(false);
    expect(read('.claude/settings.json')).toBe('{ broken');
  });
});
