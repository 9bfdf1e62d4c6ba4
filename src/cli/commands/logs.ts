import { ExitCode, UserError } from '../../errors.js';
import { ON_HOST_VAR } from '../../remote/ssh-target.js';
import type { CliOptions } from '../options.js';

export interface LogsOptions extends CliOptions {
  follow?: boolean;
  lines?: string;
}

/**
 * `deploy logs <env> [--follow]`: the app's log (the active release's stdout and stderr), secrets hidden as in log
 * tails. `--follow` keeps printing until Ctrl-C (exit 0), across deploys. On a server, a forwarded follow also ends
 * when the CLI's connection closes (its stdin ends), so nothing lingers there.
 */
export async function logsCommand(options: LogsOptions, environment = ''): Promise<number> {
  const [{ resolveEnvironment }, { redactorFor }, { platformSpec }] = await Promise.all([
    import('../../config/resolve.js'),
    import('../../secrets/for-config.js'),
    import('../../platforms/registry.js'),
  ]);
  const lines = Number(options.lines ?? '100');
  if (!Number.isInteger(lines) || lines < 0) throw new UserError(`--lines: expected a whole number, got "${options.lines}"`, ExitCode.usage);
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config });
  const appLog = platformSpec(config.platform).appLog;
  if (!appLog) {
    throw new UserError(`deploy logs reads the app log of the local platform (and of servers over ssh); ${environment} runs on ${config.platform}: use that platform's own logs`, ExitCode.usage);
  }
  const { showAppLog } = await appLog();
  const redactor = redactorFor(config);
  const stop = new AbortController();
  const end = () => stop.abort();
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  if (options.follow && process.env[ON_HOST_VAR]) {
    process.stdin.once('end', end).once('close', end).resume();
  }
  try {
    const found = await showAppLog({
      projectRoot: config.projectRoot,
      environment,
      stateDir: config.stateDir,
      lines,
      follow: options.follow === true,
      signal: stop.signal,
      onLine: (line) => process.stdout.write(`${redactor.redact(line)}\n`),
    });
    if (!found) process.stderr.write(`${environment} has not been deployed here: no app log yet\n`);
    return 0;
  } finally {
    process.off('SIGINT', end);
    process.off('SIGTERM', end);
    if (process.env[ON_HOST_VAR]) process.stdin.pause();
  }
}
