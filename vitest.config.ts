import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './tests/setup/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Release directories and the dependency cache live under the user's state directory: keep tests out of ~/.local/state.
    env: { XDG_STATE_HOME: join(tmpdir(), 'shipgate-test-state') },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The default output, then one line naming every skipped test and why (tests/setup/skipped-reporter.ts).
    reporters: ['default', './tests/setup/skipped-reporter.ts'],
    poolOptions: { forks: { maxForks: 2 } },
    // Longest files first (tests/setup/durations.json), so both workers end together on a fresh clone.
    sequence: { sequencer: SlowFirstSequencer },
  },
});
