import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestRunner } from './test-output-parsers.js';
import { detectRunner } from './test-output-parsers.js';

export interface TestPlan {
  /** The shell line to run (the user's own line, so it runs through a shell). */
  command: string;
  runner: TestRunner;
  /** Where the JSON reporter writes, when we could add one. */
  jsonReportPath?: string;
}

const NPM_DEFAULT_TEST = 'echo "Error: no test specified" && exit 1';

/** The command to run: the configured one, else `npm test` when package.json has a real test script, else null. */
export async function resolveTestCommand(cwd: string, configured: string | undefined): Promise<string | null> {
  if (configured && configured.trim()) return configured.trim();
  const script = (await readScripts(cwd)).test;
  if (!script || script.trim() === NPM_DEFAULT_TEST) return null;
  return 'npm test';
}

/** `npm test` / `npm run <name>` naming a script package.json does not have (or npm's placeholder): that name, else null. */
export async function missingNpmScript(cwd: string, command: string): Promise<string | null> {
  const npmScript = /^npm\s+(?:test|t|run(?:-script)?\s+([\w:.-]+))$/.exec(command.trim());
  if (!npmScript) return null;
  const name = npmScript[1] ?? 'test';
  const script = (await readScripts(cwd))[name];
  return !script || script.trim() === NPM_DEFAULT_TEST ? name : null;
}

/**
 * Works out the runner from the script behind the command and, for a single vitest or jest invocation
 * behind `npm test` (or a direct call), adds that runner's JSON reporter so counts come from data, not prose.
 */
export async function planTestRun(cwd: string, command: string, reportPath: string): Promise<TestPlan> {
  const npmScript = /^npm\s+(?:test|t|run(?:-script)?\s+([\w:.-]+))$/.exec(command.trim());
  const scriptName = npmScript ? (npmScript[1] ?? 'test') : null;
  const script = scriptName ? ((await readScripts(cwd))[scriptName] ?? '') : command;
  const runner = detectRunner(script);
  const flags = reporterFlags(runner, reportPath);
  if (!flags || !isSingleInvocation(script) || /--reporter|--json\b|--outputFile/.test(script)) return { command, runner };
  const separator = scriptName ? ' --' : '';
  return { command: `${command}${separator} ${flags}`, runner, jsonReportPath: reportPath };
}

function reporterFlags(runner: TestRunner, reportPath: string): string | null {
  const path = shellQuote(reportPath);
  if (runner === 'vitest') return `--reporter=default --reporter=json --outputFile.json=${path}`;
  if (runner === 'jest') return `--json --outputFile=${path}`;
  return null;
}

/** Appending flags is only safe when the script is one command the runner itself receives. */
function isSingleInvocation(script: string): boolean {
  return /^\s*(?:npx\s+|\S*node_modules\/\.bin\/)?(?:vitest|jest)\b[^&|;<>`$()]*$/.test(script);
}

async function readScripts(cwd: string): Promise<Record<string, string>> {
  try {
    const pkg = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    return pkg.scripts ?? {};
  } catch {
    return {};
  }
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
