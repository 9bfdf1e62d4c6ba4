import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // The default output, then one line naming every skipped test and why (tests/setup/skipped-reporter.ts).
    reporters: ['default', './tests/setup/skipped-reporter.ts'],
    poolOptions: { forks: { maxForks: 2 } },
  },
});
