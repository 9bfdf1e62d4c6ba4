import { mkdir, writeFile } from 'node:fs/promises';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadConfig } from '../../config/resolve.js';
import { appCliLink, appCliMain } from '../../remote/app-cli-link.js';
import { builtFile } from '../../package-root.js';
import { ON_HOST_VAR } from '../../remote/ssh-target.js';
import { UserError } from '../../errors.js';
import type { CliOptions } from '../options.js';
import { cronLine, systemdUnit, unitName, type BootEntry } from '../service-unit.js';

export interface ServiceCliOptions extends CliOptions {
  /** A system unit in /etc/systemd/system (run as root) instead of a user unit. */
  system?: boolean;
  /** Write the unit here instead of the systemd directory (also: inspect it first). */
  output?: string;
}

/**
 * `deploy service install`: a systemd unit that runs `deploy resume --all --watch` at boot, Restart=always.
 * Prints the commands that enable it and the crontab `@reboot` line for hosts without systemd.
 */
export async function serviceCommand(options: ServiceCliOptions, action?: string): Promise<number> {
  if (action !== 'install') throw new UserError(`deploy service: unknown action "${action ?? ''}"; expected install`);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  const entry: BootEntry = {
    app: config.app,
    projectRoot,
    node: process.execPath,
    cli: bootCli(projectRoot),
    path: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    user: options.system ? userInfo().username : undefined,
    watchInterval: '10s',
    // On a server: its name, so `resume` at boot reads that server's own settings (its `listen`), as commands sent there do.
    onHost: process.env[ON_HOST_VAR] || undefined,
  };
  const name = unitName(config.app);
  const path = options.output ?? (options.system ? join('/etc/systemd/system', name) : join(homedir(), '.config', 'systemd', 'user', name));
  if (!options.dryRun) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, systemdUnit(entry), { mode: 0o644 });
  }
  const ctl = options.system ? 'systemctl' : 'systemctl --user';
  if (options.json) {
    process.stdout.write(JSON.stringify({ unit: name, path, written: !options.dryRun, content: systemdUnit(entry), cron: cronLine(entry) }) + '\n');
    return 0;
  }
  const lines = [
    options.dryRun ? `would write ${path}:\n\n${systemdUnit(entry)}` : `wrote ${path}`,
    `enable it: ${ctl} daemon-reload && ${ctl} enable --now ${name}`,
    ...(options.system ? [] : [`a user unit starts at boot only with lingering on: loginctl enable-linger ${userInfo().username}`]),
    `without systemd, add this line with \`crontab -e\`:\n  ${cronLine(entry)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}

/** On a server (`deploy service install <env>` run there over ssh), the app's shipgate link, which follows upgrades. */
function bootCli(projectRoot: string): string {
  if (process.env[ON_HOST_VAR] && existsSync(appCliLink(projectRoot))) return appCliMain(projectRoot);
  return builtFile('cli');
}
