import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CONFIG_NAMES } from '../../config/find.js';
import { InternalError, UserError } from '../../errors.js';
import { packageRoot } from '../../package-root.js';
import type { CliOptions } from '../options.js';

/** The project's own pinned CLI: chat, terminal and CI run the same version. */
export const PROJECT_CLI = 'node_modules/.bin/deploy';
export const PROJECT_AGENT = 'shipgate-deployer';
export const HOOK_PATH = '.claude/hooks/shipgate-approval.mjs';
export const HOOK_COMMAND = 'node "$CLAUDE_PROJECT_DIR/.claude/hooks/shipgate-approval.mjs"';

/** The plugin folder ships in the package, beside src/ and dist/. */
export function pluginDir(root: string = packageRoot()): string {
  const dir = join(root, 'plugin');
  if (!existsSync(join(dir, '.claude-plugin', 'plugin.json'))) throw new InternalError(`the Claude Code plugin folder was not found in ${root}`);
  return dir;
}

/**
 * The plugin's files as project files: project commands are not namespaced, so `/deploy staging` works as typed,
 * and they run the project's pinned CLI instead of the plugin's runner. Path in .claude/ -> content.
 */
export function projectFiles(plugin: string = pluginDir()): Map<string, string> {
  const read = (path: string) =>
    readFileSync(join(plugin, path), 'utf8')
      .replaceAll('node ${CLAUDE_PLUGIN_ROOT}/bin/shipgate.mjs', PROJECT_CLI)
      .replaceAll('shipgate:deployer', PROJECT_AGENT);
  return new Map([
    ['.claude/commands/deploy.md', read('commands/deploy.md')],
    ['.claude/commands/rollback.md', read('commands/rollback.md')],
    ['.claude/commands/deploy-status.md', read('commands/deploy-status.md')],
    [`.claude/agents/${PROJECT_AGENT}.md`, read('agents/deployer.md').replace(/^name: deployer$/m, `name: ${PROJECT_AGENT}`)],
    ['.claude/skills/deployment-recipes/SKILL.md', read('skills/deployment-recipes/SKILL.md')],
    [HOOK_PATH, read('hooks/production-approval.mjs')],
  ]);
}

interface HookEntry {
  matcher?: string;
  hooks?: Array<{ type?: string; command?: string }>;
}
interface Settings {
  hooks?: Record<string, HookEntry[] | undefined>;
  [key: string]: unknown;
}

/** .claude/settings.json with the approval hook on Bash added once; every other setting kept. */
export function withApprovalHook(existing: string | null): string {
  let settings: Settings = {};
  if (existing !== null) {
    try {
      settings = JSON.parse(existing) as Settings;
    } catch {
      throw new UserError('.claude/settings.json is not valid JSON; fix it, then run `deploy init --claude` again');
    }
  }
  const entries = settings.hooks?.PreToolUse ?? [];
  if (!entries.some((entry) => entry.hooks?.some((hook) => hook.command === HOOK_COMMAND))) {
    entries.push({ matcher: 'Bash', hooks: [{ type: 'command', command: HOOK_COMMAND }] });
  }
  settings.hooks = { ...settings.hooks, PreToolUse: entries };
  return JSON.stringify(settings, null, 2) + '\n';
}

/**
 * `deploy init --claude`: writes the /deploy, /rollback and /deploy-status commands, the deployer agent, the
 * deployment-recipes skill and the production approval hook into .claude/ (and deploy.config.yaml when there is
 * none). A file that exists with other content is never overwritten: nothing is written and the command says which.
 */
export async function initClaudeCommand(options: CliOptions): Promise<number> {
  const cwd = process.cwd();
  const files = projectFiles();
  const settingsPath = '.claude/settings.json';
  const settings = existsSync(join(cwd, settingsPath)) ? await readFile(join(cwd, settingsPath), 'utf8') : null;
  files.set(settingsPath, withApprovalHook(settings));

  const conflicts = [...files].filter(([path, text]) => path !== settingsPath && existsSync(join(cwd, path)) && readFileSync(join(cwd, path), 'utf8') !== text);
  if (conflicts.length > 0) {
    throw new UserError(`${conflicts.map(([path]) => path).join(', ')} already exist${conflicts.length === 1 ? 's' : ''} with other content; not overwriting (move them away to regenerate)`);
  }

  const written: string[] = [];
  if (!CONFIG_NAMES.some((name) => existsSync(join(cwd, name)))) {
    const { initCommand } = await import('./init.js');
    await initCommand({ ...options, claude: false, json: false });
    written.push('deploy.config.yaml');
  }
  for (const [path, text] of files) {
    await mkdir(dirname(join(cwd, path)), { recursive: true });
    await writeFile(join(cwd, path), text);
    written.push(path);
  }
  await chmod(join(cwd, HOOK_PATH), 0o755);

  if (options.json) process.stdout.write(JSON.stringify({ created: written }) + '\n');
  else {
    process.stdout.write(
      `wrote ${written.join(', ')}\n` +
        `commit .claude/ so the whole team gets it; in Claude Code type \`/deploy staging\`. ` +
        `The commands run ${PROJECT_CLI}: keep shipgate in devDependencies (npm i -D shipgate).\n`,
    );
  }
  return 0;
}
