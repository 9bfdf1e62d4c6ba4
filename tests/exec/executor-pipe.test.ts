import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/executor.js';
import type { Command } from '../../src/exec/command.js';

/** A command with `pipeTo`: both run at once, the source's output is streamed (never collected), each exit code kept. */
describe('executor: one command piped into another', () => {
  const sh = (script: string, mutates = false): Command => ({ file: 'sh', args: ['-c', script], mutates });

  it('streams more than the executor would ever buffer, and reports the destination with the source in `from`', async () => {
    const executor = createExecutor();
    // 40 MB: more than the 16 MB an executor collects from one command.
    const result = await executor.run({ ...sh('head -c 40000000 /dev/zero; echo packed >&2'), pipeTo: { file: 'wc', args: ['-c'], mutates: false } });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe('40000000');
    expect(result.from).toMatchObject({ exitCode: 0, stderr: 'packed', stdout: '' });
    expect(executor.records.at(-1)).toMatchObject({ command: "sh -c 'head -c 40000000 /dev/zero; echo packed >&2' | wc -c", exitCode: 0, skipped: false });
  });

  it('keeps a failing source visible although the destination succeeded', async () => {
    const executor = createExecutor();
    const result = await executor.run({ ...sh('echo partial; echo broken >&2; exit 3'), pipeTo: { file: 'cat', args: [], mutates: false } });
    expect(result).toMatchObject({ exitCode: 0, stdout: 'partial' });
    expect(result.from).toMatchObject({ exitCode: 3, stderr: 'broken' });
    expect(executor.records.at(-1)?.exitCode).toBe(3);
  });

  it('skips the whole pipe under --dry-run when either side changes something', async () => {
    const lines: string[] = [];
    const executor = createExecutor({ dryRun: true, onLog: (line) => lines.push(line) });
    const result = await executor.run({ ...sh('echo data'), pipeTo: sh('cat > "$0"', true) });
    expect(result).toMatchObject({ skipped: true, exitCode: 0 });
    expect(lines).toEqual([`dry-run: would run sh -c 'echo data' | sh -c 'cat > "$0"'`]);
  });
});
