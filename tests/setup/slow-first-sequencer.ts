import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first, so the two workers finish together. vitest's own order uses the durations it cached on this
 * machine; a fresh clone has none and runs the largest files first, which puts the short real-app e2e files last.
 * tests/setup/durations.json holds seconds per file from a full run (`npm run test:durations` refreshes it);
 * a file it does not know counts as `UNKNOWN_SECONDS`, as new files are often the slow end-to-end ones.
 */
const UNKNOWN_SECONDS = 20;

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const known = JSON.parse(readFileSync(join(root, 'tests', 'setup', 'durations.json'), 'utf8')) as Record<string, number>;
    const seconds = (file: TestSpecification) => known[relative(root, file.moduleId)] ?? UNKNOWN_SECONDS;
    const base = await super.sort(files);
    return base.map((file, order) => ({ file, order, s: seconds(file) })).sort((a, b) => b.s - a.s || a.order - b.order).map((x) => x.file);
  }
}
