import { isUserError } from '../errors.js';
import type { CliOptions } from './options.js';

/**
 * The only place an error becomes output and an exit code. A UserError prints its lines
 * (a config error has one line per problem); anything else is our bug: one line, exit 4,
 * and the stack with --verbose. With --json an object with the same facts goes to stdout.
 */
export function reportFailure(error: unknown, options: CliOptions, unexpectedExit: number): number {
  const user = isUserError(error);
  const exitCode = user ? error.exitCode : unexpectedExit;
  const message = error instanceof Error ? error.message : String(error);
  const lines = user ? message.split('\n') : [`internal error: ${message.split('\n')[0]}${options.verbose ? '' : ' (run with --verbose for details)'}`];
  for (const line of lines) process.stderr.write(`deploy: ${line}\n`);
  if (!user && options.verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  if (options.json) process.stdout.write(JSON.stringify({ status: 'error', exitCode, message: lines.join('\n') }) + '\n');
  return exitCode;
}
