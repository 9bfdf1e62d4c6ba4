import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './build.js';

describe('skipped-tests reporter', () => {
  it('ends the run with one line naming each skipped test and why', async () => {
    const vitest = join(ROOT, 'node_modules', '.bin', 'vitest');
    const { stdout } = await promisify(execFile)(vitest, ['run', '--config', 'tests/setup/fixtures/vitest.skips.config.ts'], {
      cwd: ROOT,
      env: { ...process.env, SHIPGATE_SKIP_REASONS: '' },
    });
    const lines = stdout.split('\n').filter((l) => l.startsWith('SKIPPED'));
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).toMatch(/^SKIPPED 3 test\(s\) — /);
    expect(line).toContain('no Docker Engine (fixture): tests/setup/fixtures/skips.fixture.ts > needs an engine > deploys a container; tests/setup/fixtures/skips.fixture.ts > needs an engine > rolls it back');
    expect(line).toContain('no sqlite3 here: tests/setup/fixtures/note.fixture.ts > skips with a note');
    expect(line).toMatch(/ \| 1 more skipped without a reason$/);
  });
});
