import type { CliOptions } from '../cli/options.js';
import { ExitCode, UserError } from '../errors.js';
import { createExecutor } from '../exec/executor.js';
import { ensureShipgate } from './host-install.js';
import { hostAppDir, hostProjectRoot } from './host-plan.js';
import { remoteScript } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import { sshOptions } from './ssh-options.js';
import { ON_HOST_VAR, parseHostEntry, type SshTarget } from './ssh-target.js';
import { streamFromHost } from './stream-host.js';
import type { Command } from '../exec/command.js';
import { BUILT } from '../package-root.js';

// Runs the host's own shipgate in the app's folder there, with the same words the user typed. The shipped config names
// the host itself under `hosts:`; ON_HOST_VAR (the host's label) keeps the command there instead of forwarding it
// again, and picks that host's own settings (its `listen`).
const HOST_CLI = `cd "$1" && ${ON_HOST_VAR}="$2" && export ${ON_HOST_VAR} && shift 2 && exec node "$@"`;

export interface ForwardOptions {
  /**
   * Print each host's output as it comes, all hosts at once (each line prefixed with the host when there are several),
   * until the command ends there or the CLI gets Ctrl-C; for output with no end of its own (`deploy logs --follow`).
   */
  stream?: boolean;
  /** Hide this environment's secrets (as the CLI knows them) in what the hosts print: the app's own output. */
  redact?: boolean;
}

/**
 * Commands that read or steer one environment (status, history, guard, flags...) run where the environment is: for
 * an environment with `hosts:`, the same command runs on each host with the host's own shipgate, and its output is
 * shown per host. Returns null when the environment runs here, so the local handler goes on.
 */
export async function forwardToHosts(argv: readonly string[], options: CliOptions, environment: string | undefined, forward: ForwardOptions = {}): Promise<number | null> {
  if (!environment || process.env[ON_HOST_VAR]) return null;
  const { loadConfig } = await import('../config/resolve.js');
  const { config } = await loadConfig(process.cwd(), { configPath: options.config });
  const settings = config.environments?.[environment];
  const specs = settings?.hosts ?? (settings ? config.hosts : undefined) ?? [];
  if (specs.length === 0) return null;
  const identityFile = settings?.ssh?.identityFile ?? config.ssh?.identityFile;
  const targets = specs.map((spec, i) => parseHostEntry(spec, `environments.${environment}.hosts[${i}]`, identityFile));
  const ssh = sshOptions();
  const executor = createExecutor();
  const words = withoutConfigOption(argv);
  const redact = forward.redact ? await secretsRedactor(environment, options) : (text: string) => text;
  const commandOn = async (target: SshTarget) => {
    const install = await ensureShipgate(target, ssh, executor);
    return remoteScript(target, ssh, HOST_CLI, [hostProjectRoot(hostAppDir(install.home, config.app)), target.label, `${install.installDir}/${BUILT.cli}`, ...words], { timeoutMs: 120_000 });
  };
  if (forward.stream) return streamAll(targets, await Promise.all(targets.map(commandOn)), redact);
  let worst = 0;
  for (const target of targets) {
    const result = await executor.run(await commandOn(target));
    const failure = describeSshFailure(target, result.exitCode, result.stderr);
    if (failure) throw new UserError(failure, ExitCode.precheckFailed);
    if (targets.length > 1 && !options.json) process.stdout.write(`── ${target.label} ──\n`);
    const stdout = redact(result.stdout);
    process.stdout.write(stdout.endsWith('\n') || !stdout ? stdout : `${stdout}\n`);
    if (result.stderr.trim()) process.stderr.write(result.stderr.split('\n').filter(Boolean).map((line) => `${target.label}: ${line}\n`).join(''));
    worst = Math.max(worst, result.exitCode);
  }
  return worst;
}

/** Every host's command at once, its lines printed as they come; Ctrl-C ends them all (exit 0). */
async function streamAll(targets: SshTarget[], commands: Command[], redact: (text: string) => string): Promise<number> {
  const prefix = (target: SshTarget) => (targets.length > 1 ? `${target.label} | ` : '');
  const runs = targets.map((target, i) => streamFromHost(commands[i], (line) => process.stdout.write(`${prefix(target)}${redact(line)}\n`)));
  let stopped = false;
  const stopAll = () => {
    stopped = true;
    runs.forEach((run) => run.stop());
  };
  process.once('SIGINT', stopAll);
  process.once('SIGTERM', stopAll);
  try {
    const ends = await Promise.all(runs.map((run) => run.done));
    // Ctrl-C: the ssh clients we ended say "killed by signal"; that is the normal end of a follow.
    if (stopped) return 0;
    let worst = 0;
    for (const [i, end] of ends.entries()) {
      const failure = describeSshFailure(targets[i], end.exitCode, end.stderr);
      if (failure) throw new UserError(failure, ExitCode.precheckFailed);
      if (end.stderr.trim()) process.stderr.write(end.stderr.split('\n').filter(Boolean).map((line) => `${targets[i].label}: ${line}\n`).join(''));
      worst = Math.max(worst, end.exitCode);
    }
    return worst;
  } finally {
    process.off('SIGINT', stopAll);
    process.off('SIGTERM', stopAll);
  }
}

/** The redactor of the environment as this machine resolves it: the host may not know the secrets (they travel per run). */
async function secretsRedactor(environment: string, options: CliOptions): Promise<(text: string) => string> {
  const [{ resolveEnvironment }, { redactorFor }] = await Promise.all([import('../config/resolve.js'), import('../secrets/for-config.js')]);
  const redactor = redactorFor(await resolveEnvironment(process.cwd(), environment, { configPath: options.config }));
  return (text) => redactor.redact(text);
}

/** `--config` names a file here; on the host the shipped commit's own config is read. */
function withoutConfigOption(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') i++;
    else if (!argv[i].startsWith('--config=')) out.push(argv[i]);
  }
  return out;
}
