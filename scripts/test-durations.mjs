#!/usr/bin/env node
// Writes tests/setup/durations.json (seconds per test file, at least 1) from a vitest JSON report,
// for the slow-first sequencer. Usage: vitest run --reporter=json --outputFile=report.json; node scripts/test-durations.mjs report.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const report = JSON.parse(readFileSync(process.argv[2] ?? 'report.json', 'utf8'));
const seconds = report.testResults
  // Every file, the short ones as 1: a file missing from the table counts as a slow new one and would run early.
  .map((file) => [relative(root, file.name), Math.max(1, Math.round((file.endTime - file.startTime) / 1000))])
  .sort((a, b) => b[1] - a[1]);
writeFileSync(join(root, 'tests', 'setup', 'durations.json'), `${JSON.stringify(Object.fromEntries(seconds), null, 2)}\n`);
console.log(`tests/setup/durations.json: ${seconds.length} files`);
