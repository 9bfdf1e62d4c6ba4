/** Reads pass/fail counts out of test runners' output. Pure functions: text in, counts out. */

export type TestRunner = 'vitest' | 'jest' | 'node-test' | 'mocha' | 'unknown';

export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
  /** First failing test names, in report order. */
  failedNames: string[];
}

/** CSI sequences (colours, cursor moves), OSC sequences (titles, links) and other two-byte escapes. */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Guesses the runner from the script text (the package.json script or the configured command). */
export function detectRunner(script: string): TestRunner {
  if (/\bvitest\b/.test(script)) return 'vitest';
  if (/\bjest\b/.test(script)) return 'jest';
  if (/\bmocha\b/.test(script)) return 'mocha';
  if (/\bnode\b[^&|;]*\s--test\b/.test(script)) return 'node-test';
  return 'unknown';
}

/** vitest's and jest's JSON reporters share this shape (vitest mimics jest's). */
export function parseJestStyleJson(json: string): TestCounts | null {
  try {
    const report = JSON.parse(json) as {
      numPassedTests?: number;
      numFailedTests?: number;
      numPendingTests?: number;
      numTodoTests?: number;
      testResults?: Array<{ name?: string; status?: string; message?: string; assertionResults?: Array<{ status?: string; fullName?: string; title?: string; ancestorTitles?: string[] }> }>;
    };
    if (typeof report.numPassedTests !== 'number' || typeof report.numFailedTests !== 'number') return null;
    const failedNames: string[] = [];
    for (const file of report.testResults ?? []) {
      for (const assertion of file.assertionResults ?? []) {
        if (assertion.status === 'failed') {
          failedNames.push([...(assertion.ancestorTitles ?? []), assertion.title ?? assertion.fullName ?? '?'].join(' > '));
        }
      }
      // A file that fails to load has no assertions but still fails the run.
      if (file.status === 'failed' && !(file.assertionResults ?? []).some((a) => a.status === 'failed') && file.name) {
        failedNames.push(file.name);
      }
    }
    const failed = Math.max(report.numFailedTests, failedNames.length);
    return {
      passed: report.numPassedTests,
      failed,
      skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
      failedNames,
    };
  } catch {
    return null;
  }
}

export function parseVitestText(raw: string): TestCounts | null {
  const text = stripAnsi(raw);
  const line = lastMatch(text, /^\s*Tests\s+(.+)$/gm);
  if (!line) return null;
  const counts = { passed: count(line, /(\d+) passed/), failed: count(line, /(\d+) failed/), skipped: count(line, /(\d+) skipped/) + count(line, /(\d+) todo/) };
  const failedNames = unique(
    [...text.matchAll(/^\s*FAIL\s+\S+\s+>\s+(.+?)\s*$/gm)].map((m) => m[1]!.replace(/\s+\d+ms$/, '')),
  );
  return { ...counts, failedNames };
}

export function parseJestText(raw: string): TestCounts | null {
  const text = stripAnsi(raw);
  const line = lastMatch(text, /^Tests:\s+(.+)$/gm);
  if (!line) return null;
  const failedNames = unique([...text.matchAll(/^\s*●\s+(.+?)\s*$/gm)].map((m) => m[1]!.replace(/ › /g, ' > ')).filter((n) => !n.startsWith('Test suite failed')));
  return { passed: count(line, /(\d+) passed/), failed: count(line, /(\d+) failed/), skipped: count(line, /(\d+) skipped/) + count(line, /(\d+) todo/), failedNames };
}

/** node --test: TAP (`# pass 3`, the non-TTY default on Node 20) or spec (`ℹ pass 3`, the default on Node 22+). */
export function parseNodeTestText(raw: string): TestCounts | null {
  const text = stripAnsi(raw);
  const pass = lastMatch(text, /^\s*[#ℹ] pass (\d+)\s*$/gm);
  const fail = lastMatch(text, /^\s*[#ℹ] fail (\d+)\s*$/gm);
  if (pass === null || fail === null) return null;
  const skipped = Number(lastMatch(text, /^\s*[#ℹ] skipped (\d+)\s*$/gm) ?? 0) + Number(lastMatch(text, /^\s*[#ℹ] todo (\d+)\s*$/gm) ?? 0);
  const tap = [...text.matchAll(/^\s*not ok \d+ - (.+?)\s*(?:#.*)?$/gm)].map((m) => m[1]!);
  const spec = [...text.matchAll(/^\s*✖ (.+?)(?: \([\d.]+m?s\))?\s*$/gm)].map((m) => m[1]!).filter((n) => !/^failing tests:?$/.test(n));
  // A failing subtest also fails its parent; leaves come first in the output, which is what we want to show.
  return { passed: Number(pass), failed: Number(fail), skipped, failedNames: unique(tap.length ? tap : spec) };
}

export function parseMochaText(raw: string): TestCounts | null {
  const text = stripAnsi(raw);
  const passing = lastMatch(text, /^\s*(\d+) passing\b/gm);
  if (passing === null) return null;
  const failing = Number(lastMatch(text, /^\s*(\d+) failing\s*$/gm) ?? 0);
  const pending = Number(lastMatch(text, /^\s*(\d+) pending\s*$/gm) ?? 0);
  const failedNames: string[] = [];
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^\s*\d+ failing\s*$/.test(l));
  if (start >= 0) {
    for (let i = start + 1; i < lines.length; i++) {
      const head = /^\s{2}\d+\) (.+)$/.exec(lines[i]!);
      if (!head) continue;
      const parts = [head[1]!.replace(/:$/, '')];
      // Mocha prints the title path one level per line, the last one ending with ':'.
      for (let j = i + 1; !head[1]!.endsWith(':') && j < lines.length && j < i + 6; j++) {
        const part = lines[j]!.trim();
        if (!part) break;
        parts.push(part.replace(/:$/, ''));
        if (part.endsWith(':')) break;
      }
      failedNames.push(parts.join(' > '));
    }
  }
  return { passed: Number(passing), failed: failing, skipped: pending, failedNames };
}

export function parseRunnerText(runner: TestRunner, text: string): TestCounts | null {
  switch (runner) {
    case 'vitest':
      return parseVitestText(text);
    case 'jest':
      return parseJestText(text);
    case 'node-test':
      return parseNodeTestText(text);
    case 'mocha':
      return parseMochaText(text);
    default:
      // An unknown runner is judged by its exit code alone; guessing from its text could misreport.
      return null;
  }
}

function lastMatch(text: string, pattern: RegExp): string | null {
  let found: string | null = null;
  for (const match of text.matchAll(pattern)) found = match[1] ?? null;
  return found;
}

function count(line: string, pattern: RegExp): number {
  const match = pattern.exec(line);
  return match ? Number(match[1]) : 0;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
