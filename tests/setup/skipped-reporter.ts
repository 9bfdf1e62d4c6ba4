import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';

/** The file the reporter's workers append skip reasons to (tests/helpers/skip-reasons.ts); workers inherit it. */
export const SKIP_REASONS_ENV = 'SHIPGATE_SKIP_REASONS';

/**
 * Ends the run with one line naming every test skipped for a reason (the reason its file recorded with
 * recordSkipReason, e.g. "no Docker Engine", or the test's own `ctx.skip(note)`), so such a skip never passes unnoticed
 * in a green run. Tests skipped without a reason (`it.skip`, or left out by `-t`) are only counted.
 */
export default class SkippedReporter implements Reporter {
  private dir = '';

  onInit(): void {
    this.dir = mkdtempSync(join(tmpdir(), 'shipgate-skips-'));
    process.env[SKIP_REASONS_ENV] = join(this.dir, 'reasons.jsonl');
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const reasons = new Map<string, string>();
    for (const line of readLines(process.env[SKIP_REASONS_ENV])) {
      const { file, reason } = JSON.parse(line) as { file: string; reason: string };
      reasons.set(file, reason);
    }
    const byReason = new Map<string, string[]>();
    let unexplained = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const result = test.result();
        const why = reasons.get(module.moduleId) ?? (result.state === 'skipped' ? result.note : undefined);
        if (!why) {
          unexplained++;
          continue;
        }
        const name = `${relative(process.cwd(), module.moduleId)} > ${test.fullName}`;
        byReason.set(why, [...(byReason.get(why) ?? []), name]);
      }
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    if (byReason.size === 0) return;
    const count = [...byReason.values()].reduce((n, names) => n + names.length, 0);
    const groups = [...byReason].map(([why, names]) => `${why}: ${names.join('; ')}`);
    const others = unexplained ? ` | ${unexplained} more skipped without a reason` : '';
    process.stdout.write(`\nSKIPPED ${count} test(s) — ${groups.join(' | ')}${others}\n`);
  }
}

function readLines(path: string | undefined): string[] {
  if (!path) return [];
  try {
    return readFileSync(path, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}
