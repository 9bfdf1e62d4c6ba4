import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PreCheckResult } from '../contracts/summary.js';
import type { Executor } from '../exec/executor.js';
import type { Command } from '../exec/command.js';
import { ExitCode } from '../errors.js';
import type { TestCounts } from './test-output-parsers.js';
import { parseJestStyleJson, parseRunnerText } from './test-output-parsers.js';
import { missingNpmScript, planTestRun, resolveTestCommand } from './test-command.js';
import { processEnv } from './process-env.js';

export interface TestsCheckInput {
  /** Project root; the tests run here. */
  cwd: string;
  /** The configured `tests:` line; undefined means "npm test if package.json has a test script"; false means skipped. */
  command: string | false | undefined;
  timeoutMs: number;
  executor: Executor;
  production?: boolean;
  /** Extra variables for the test process (merged over the current environment). */
  env?: Record<string, string>;
}

const NAME = 'Tests';
const SHOWN_FAILURES = 3;

/** Runs the project's tests; the result carries "passed/total" when the runner is known. */
export async function checkTests(input: TestsCheckInput): Promise<PreCheckResult> {
  if (input.command === false) {
    if (input.production) return fail('tests: false is not allowed for production');
    return { name: NAME, ok: true, warning: true, detail: 'skipped (tests: false)' };
  }
  const command = await resolveTestCommand(input.cwd, input.command);
  if (!command) return { name: NAME, ok: true, warning: true, detail: 'no test script in package.json; nothing run' };
  const missing = await missingNpmScript(input.cwd, command);
  if (missing) return fail(`no ${missing} script in package.json (tests: ${command}); add one, or remove the tests: line`);

  const reportDir = await mkdtemp(join(tmpdir(), 'shipgate-tests-'));
  try {
    const plan = await planTestRun(input.cwd, command, join(reportDir, 'report.json'));
    const env = { ...processEnv(), ...input.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
    const result = await input.executor.run(testRunCommand(plan.command, input.cwd, env, input.timeoutMs));
    if (result.timedOut || (input.timeoutMs > 0 && TIMEOUT_EXITS.has(result.exitCode) && result.durationMs >= input.timeoutMs)) {
      return fail(`timed out after ${formatMs(input.timeoutMs)} (${command})`);
    }
    const fromJson = plan.jsonReportPath ? parseJestStyleJson(await readFile(plan.jsonReportPath, 'utf8').catch(() => '')) : null;
    const counts = fromJson ?? parseRunnerText(plan.runner, result.all);
    return judge(counts, result.exitCode);
  } finally {
    await rm(reportDir, { recursive: true, force: true });
  }
}

const KILL_GRACE_S = 5;
/** What coreutils `timeout` exits with when it had to stop the command (TERM, then KILL). */
const TIMEOUT_EXITS = new Set([124, 137]);

/**
 * The user's test line through a shell (it is their own command line). On Linux it runs under
 * coreutils `timeout`, which signals the whole process group: killing only the shell would leave
 * `npm test`'s grandchildren (vitest workers…) running and holding our pipes open past the limit.
 * The executor's own timeout stays as a backstop.
 */
export function testRunCommand(line: string, cwd: string, env: Record<string, string>, timeoutMs: number): Command {
  // CI=true keeps vitest and jest out of watch mode; NO_COLOR keeps the text parseable.
  if (process.platform !== 'linux' || timeoutMs <= 0) return { file: line, args: [], shell: true, cwd, env, timeoutMs, mutates: false };
  const seconds = Math.max(0.1, timeoutMs / 1000).toFixed(1);
  return {
    file: 'timeout',
    args: [`--kill-after=${KILL_GRACE_S}s`, `${seconds}s`, '/bin/sh', '-c', line],
    cwd,
    env,
    timeoutMs: timeoutMs + (KILL_GRACE_S + 5) * 1000,
    mutates: false,
  };
}

function judge(counts: TestCounts | null, exitCode: number): PreCheckResult {
  if (!counts) {
    return exitCode === 0 ? { name: NAME, ok: true, detail: 'passing (exit 0)' } : fail(`failing (exit ${exitCode})`);
  }
  const total = counts.passed + counts.failed;
  const skipped = counts.skipped ? `, ${counts.skipped} skipped` : '';
  if (counts.failed === 0 && exitCode === 0) return { name: NAME, ok: true, detail: `${counts.passed}/${total} passing${skipped}` };
  if (counts.failed === 0) return fail(`${counts.passed}/${total} passing but the test command exited ${exitCode}`);
  const names = counts.failedNames.slice(0, SHOWN_FAILURES).map((n) => (n.length > 60 ? `${n.slice(0, 59)}…` : n));
  const more = counts.failedNames.length > SHOWN_FAILURES ? ', …' : '';
  const named = names.length ? `: ${names.join('; ')}${more}` : '';
  return fail(`${counts.failed}/${total} failing${named}`);
}

function fail(detail: string): PreCheckResult {
  return { name: NAME, ok: false, detail, exitCode: ExitCode.precheckFailed };
}

function formatMs(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
