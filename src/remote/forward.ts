import type { CliOptions } from '../cli/options.js';
import { ExitCode, UserError } from '../errors.js';
import { createExecutor } from '../exec/executor.js';
import { ensureShipgate } from './host-install.js';
import { hostAppDir, hostProjectRoot } from './host-plan.js';
import { remoteScript } from './ssh-command.js';
import { describeSshFailure } from './ssh-errors.js';
import { sshOptions } from './ssh-options.js';
import { ON_HOST_VAR, parseHostEntry } from './ssh-target.js';

// Runs the host's own shipgate in the app's folder there, with the same words the user typed. The shipped config names
// the host itself under `hosts:`; ON_HOST_VAR (the host's label) keeps the command there instead of forwarding it
// again, and picks that host's own settings (its `listen`).
const HOST_CLI = `cd "$1" && ${ON_HOST_VAR}="$2" && export ${ON_HOST_VAR} && shift 2 && exec node "$@"`;

/**
 * Commands that read or steer one environment (status, history, guard, flags...) run where the environment is: for
 * an environment with `hosts:`, the same command runs on each host with the host's own shipgate, and its output is
 * shown per host. Returns null when the environment runs here, so the local handler goes on.
 */
export async function forwardToHosts(argv: readonly string[], options: CliOptions, environment: string | undefined): Promise<number | null> {
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
  let worst = 0;
  for (const target of targets) {
    const install = await ensureShipgate(target, ssh, executor);
    const result = await executor.run(remoteScript(target, ssh, HOST_CLI, [hostProjectRoot(hostAppDir(install.home, config.app)), target.label, `${install.installDir}/dist/src/cli/main.js`, ...words], { timeoutMs: 120_000 }));
    const failure = describeSshFailure(target, result.exitCode, result.stderr);
    if (failure) throw new UserError(failure, ExitCode.precheckFailed);
    if (targets.length > 1 && !options.json) process.stdout.write(`── ${target.label} ──\n`);
    process.stdout.write(result.stdout.endsWith('\n') || !result.stdout ? result.stdout : `${result.stdout}\n`);
    if (result.stderr.trim()) process.stderr.write(result.stderr.split('\n').filter(Boolean).map((line) => `${target.label}: ${line}\n`).join(''));
    worst = Math.max(worst, result.exitCode);
  }
  return worst;
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
