#!/usr/bin/env node
// Writes tests/setup/durations.json (seconds per test file, files of 3 s or more) from a vitest JSON report,
// for the slow-first sequencer. Usage: vitest run --reporter=json --outputFile=report.json; node scripts/test-durations.mjs report.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const report = JSON.parse(readFileSync(process.argv[2] ?? 'report.json', 'utf8'));
const seconds = report.testResults
  .map((file) => [relative(root, file.name), Math.round((file.endTime - file.startTime) / 1000)])
  .filter(([, s]) => s >= 3)
  .sort((a, b) => b[1] - a[1]);
writeFileSync(join(root, 'tests', 'setup', 'durations.json'), `${JSON.stringify(Object.fromEntries(seconds), null, 2)}\n`);
console.log(`tests/setup/durations.json: ${seconds.length} files`);
