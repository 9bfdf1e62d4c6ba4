import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecResult } from '../../exec/executor.js';
import { stripAnsi } from '../test-output-parsers.js';
import type { FailureDetail, MigrationsInput } from './types.js';
import { firstMeaningful } from './tool-output.js';
import { MigrationError } from './types.js';
import { processEnv } from '../process-env.js';

/** Runs a migration tool's own CLI from the project's node_modules/.bin (never a download), argv only. */
export async function runProjectBin(input: MigrationsInput, bin: string, args: string[], mutates: boolean): Promise<ExecResult & { text: string }> {
  const file = join(input.cwd, 'node_modules', '.bin', bin);
  try {
    await access(file);
  } catch {
    throw new MigrationError(`${bin} CLI not found in node_modules/.bin (install the project's dependencies first)`);
  }
  const env: Record<string, string> = { ...processEnv(), ...input.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  if (input.database && !env.DATABASE_URL) env.DATABASE_URL = input.database;
  const result = await input.executor.run({ file, args, cwd: input.cwd, env, mutates, timeoutMs: input.timeoutMs ?? 120_000 });
  return { ...result, text: stripAnsi(result.all) };
}

/** The tool's failure, led by the database's own error line when the tool's output holds one. */
export function failure(what: string, result: ExecResult & { text: string }, detail?: FailureDetail, applied: string[] = []): MigrationError {
  const found = detail ?? { failed: null, errors: firstMeaningful(result.text.split('\n').map((l) => l.trim())) };
  const line = found.errors[0] ?? '';
  const reason = result.timedOut ? 'timed out' : `exit ${result.exitCode}`;
  const file = found.failed ? ` at ${found.failed}` : '';
  return new MigrationError(`${what} failed${file} (${reason})${line ? `: ${line.slice(0, 200)}` : ''}`, applied, found);
}
