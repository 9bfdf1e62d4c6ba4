/** What a boot entry needs to run `deploy resume --all` for one project. */
export interface BootEntry {
  app: string;
  projectRoot: string;
  /** Absolute paths: the node binary and the CLI's main.js. */
  node: string;
  cli: string;
  /** PATH the apps' `start:` lines need (node, npm...); systemd's default PATH is minimal. */
  path: string;
  /** Set for a system unit (/etc/systemd/system): the user the environments run as. */
  user?: string;
  watchInterval: string;
  /** On a server: the label of its `hosts:` entry (SHIPGATE_ON_HOST). */
  onHost?: string;
}

export function unitName(app: string): string {
  return `shipgate-${app.replace(/[^A-Za-z0-9_.-]/g, '-')}.service`;
}

/**
 * The systemd unit: runs `deploy resume --all --watch` in the project, restarted always. KillMode=process: stopping
 * the unit stops the watcher only; the environments' runtimes (detached keepers) keep serving.
 */
export function systemdUnit(entry: BootEntry): string {
  return [
    '[Unit]',
    `Description=shipgate: bring back and keep up the environments of ${entry.app} (deploy resume --all)`,
    'After=network-online.target',
    'Wants=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    ...(entry.user ? [`User=${entry.user}`] : []),
    `WorkingDirectory=${quote(entry.projectRoot)}`,
    `Environment=${quote(`PATH=${entry.path}`)}`,
    ...(entry.onHost ? [`Environment=${quote(`SHIPGATE_ON_HOST=${entry.onHost}`)}`] : []),
    `ExecStart=${quote(entry.node)} ${quote(entry.cli)} resume --all --watch ${entry.watchInterval}`,
    'Restart=always',
    'RestartSec=2',
    'KillMode=process',
    '',
    '[Install]',
    `WantedBy=${entry.user ? 'multi-user.target' : 'default.target'}`,
    '',
  ].join('\n');
}

/** The crontab line for hosts without systemd (`crontab -e`). */
export function cronLine(entry: BootEntry): string {
  return `@reboot cd ${shell(entry.projectRoot)} && PATH=${shell(entry.path)} ${entry.onHost ? `SHIPGATE_ON_HOST=${shell(entry.onHost)} ` : ''}${shell(entry.node)} ${shell(entry.cli)} resume --all >> .deploy/resume.log 2>&1`;
}

/** systemd quoting: a value with spaces goes in double quotes, with backslashes and quotes escaped. */
function quote(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"` : value;
}

function shell(value: string): string {
  return /^[A-Za-z0-9_./:=@-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
