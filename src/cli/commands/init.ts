import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CONFIG_NAMES } from '../../config/find.js';
import { UserError } from '../../errors.js';
import type { CliOptions } from '../options.js';
import { starterConfig } from '../starter-config.js';

/** Writes a commented starter deploy.config.yaml in the current folder; never overwrites. */
export async function initCommand(options: CliOptions): Promise<number> {
  if (options.claude) return (await import('./init-claude.js')).initClaudeCommand(options);
  const cwd = process.cwd();
  const existing = CONFIG_NAMES.find((name) => existsSync(join(cwd, name)));
  if (existing) return proposeSmokeOnly(cwd, existing, options);
  const path = join(cwd, 'deploy.config.yaml');
  const { proposeStarter } = await import('../init/propose.js');
  const proposal = await proposeStarter(cwd, await appName(cwd), { probe: options.probe !== false });
  await writeFile(path, starterConfig(proposal.input), { flag: 'wx' });
  if (options.json) process.stdout.write(JSON.stringify({ created: path, ...proposal.report }) + '\n');
  else process.stdout.write(`${proposal.lines.map((line) => `${line}\n`).join('')}created deploy.config.yaml; edit it, then try \`npx deploy staging --dry-run\`\n`);
  return 0;
}

/** The package name when there is one (scope dropped), else the folder name, made safe for the schema. */
async function appName(cwd: string): Promise<string> {
  let name = basename(cwd);
  try {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(join(cwd, 'package.json'), 'utf8')) as { name?: string };
    if (pkg.name) name = pkg.name.replace(/^@[^/]+\//, '');
  } catch {
    // No package.json: the folder name will do.
  }
  const safe = name.replace(/[^a-zA-Z0-9._-]/g, '-').replace(/^[^a-zA-Z0-9]+/, '').slice(0, 63);
  return safe || 'app';
}

/**
 * A project that has a config (it has been deployed, perhaps): nothing is overwritten, but the smoke checks the
 * router's access logs suggest are printed, to paste under `verify:`. Without any, it is the usual refusal.
 */
async function proposeSmokeOnly(cwd: string, existing: string, options: CliOptions): Promise<number> {
  const [{ servedRoutes }, { smokeLine }, { smokeLines }] = await Promise.all([import('../init/served-routes.js'), import('../init/propose.js'), import('../starter-config.js')]);
  const served = await servedRoutes(cwd);
  if (served.smoke.length === 0) throw new UserError(`${existing} already exists; not overwriting it${served.logs.length ? ` (${smokeLine(served)})` : ''}`);
  if (options.json) process.stdout.write(JSON.stringify({ created: null, existing, smoke: served.smoke, logs: served.logs }) + '\n');
  else process.stdout.write(`${existing} already exists; not overwriting it.\n${smokeLine(served)}\nTo smoke-test them on every deploy, set in ${existing}:\nverify:\n${smokeLines(served.smoke)}\n`);
  return 0;
}
