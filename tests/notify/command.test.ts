import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import { commandChannel, hookCommand } from '../../src/notify/channels/command.js';
import { Notifier, type NotifyFailure } from '../../src/notify/notifier.js';
import { WEBHOOK_SCHEMA } from '../../src/notify/webhook-body.js';
import { sampleEvent } from './event-fixture.js';
import { recordingSleep } from './receiver.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shipgate-hook-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeHook(name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `#!${process.execPath}\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('command hook channel', () => {
  it('runs the executable without a shell and hands it the JSON on stdin', async () => {
    const out = join(dir, 'received.json');
    const file = await writeHook(
      'notify-hook',
      `let s='';process.stdin.on('data',d=>s+=d).on('end',()=>require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({stdin:s,argv:process.argv.slice(2),cwd:process.cwd()})));`,
    );
    const executor = createExecutor();
    const notifier = new Notifier({ channels: [commandChannel({ file, args: ['--from', 'shipgate'], cwd: dir, executor })] });
    notifier.notify(sampleEvent({ type: 'deploy.failed' }));
    await notifier.flush();

    const seen = JSON.parse(await readFile(out, 'utf8'));
    const body = JSON.parse(seen.stdin);
    expect(body).toMatchObject({ schema: WEBHOOK_SCHEMA, type: 'deploy.failed', environment: 'production', release: { version: 'v1.4.0' } });
    expect(seen.argv).toEqual(['--from', 'shipgate']);
    expect(seen.cwd).toBe(dir);
    expect(executor.records).toEqual([expect.objectContaining({ command: `${file} --from shipgate`, exitCode: 0 })]);
  });

  it('builds a mutating, shell-free command', () => {
    const cmd = hookCommand({ file: '/x/hook', cwd: '/x', executor: createExecutor() }, '{}', 5000);
    expect(cmd).toEqual({ file: '/x/hook', args: [], cwd: '/x', input: '{}', mutates: true, timeoutMs: 5000 });
    expect(cmd.shell).toBeUndefined();
  });

  it('retries a failing hook and reports its last stderr line', async () => {
    const count = join(dir, 'count');
    const file = await writeHook(
      'failing-hook',
      `const fs=require('fs');fs.appendFileSync(${JSON.stringify(count)},'x');process.stdin.resume();process.stdin.on('end',()=>{console.error('pager service unreachable');process.exit(3)});`,
    );
    const failures: NotifyFailure[] = [];
    const notifier = new Notifier({
      channels: [commandChannel({ file, cwd: dir, executor: createExecutor(), label: 'commands[0] (./failing-hook)' })],
      retry: { attempts: 2 },
      sleep: recordingSleep().sleep,
      onFailure: (f) => failures.push(f),
    });
    notifier.notify(sampleEvent());
    await notifier.flush();
    expect(await readFile(count, 'utf8')).toBe('xx');
    expect(failures).toEqual([expect.objectContaining({ channel: 'commands[0] (./failing-hook)', attempts: 2, reason: 'exited with 3: pager service unreachable' })]);
  });

  it('does not run anything under --dry-run', async () => {
    const out = join(dir, 'ran');
    const file = await writeHook('hook', `require('fs').writeFileSync(${JSON.stringify(out)}, 'ran');`);
    const executor = createExecutor({ dryRun: true });
    const notifier = new Notifier({ channels: [commandChannel({ file, cwd: dir, executor })] });
    notifier.notify(sampleEvent());
    await notifier.flush();
    await expect(readFile(out, 'utf8')).rejects.toThrow();
    expect(executor.records[0]).toMatchObject({ skipped: true });
  });
});
