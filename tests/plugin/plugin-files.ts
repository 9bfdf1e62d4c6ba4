import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

/** The repository root: the marketplace (.claude-plugin/marketplace.json) lives here, the plugin in plugin/. */
export const pluginRoot = resolve(import.meta.dirname, '../..');
export const pluginDir = join(pluginRoot, 'plugin');
/** The runner every command line starts with. */
export const RUNNER = 'node ${CLAUDE_PLUGIN_ROOT}/bin/shipgate.mjs';

export interface MarkdownFile {
  frontmatter: Record<string, unknown>;
  body: string;
}

export function readJson(relativePath: string): Record<string, any> {
  return JSON.parse(readFileSync(join(pluginRoot, relativePath), 'utf8'));
}

/** Splits a Claude Code markdown component into its YAML frontmatter and body. */
export function readMarkdown(relativePath: string): MarkdownFile {
  const text = readFileSync(join(pluginRoot, relativePath), 'utf8');
  const match = /^---\n([\s\S]*?)\n---\n?([\s\S]*)$/.exec(text);
  if (!match) throw new Error(`${relativePath}: no frontmatter block`);
  return { frontmatter: parse(match[1]) ?? {}, body: match[2] };
}

export function exists(relativePath: string): boolean {
  return existsSync(join(pluginRoot, relativePath));
}

/** Where an installed copy of the plugin lives; a realistic value for token counts. */
export const installedRoot = '/home/dev/.claude/plugins/cache/shipgate/shipgate/0.1.0';

/**
 * What Claude Code does to a command body before the model sees it:
 * ${CLAUDE_PLUGIN_ROOT} becomes the plugin's directory, $ARGUMENTS the whole
 * argument string, and $0, $1 ... the 0-based indexed arguments.
 */
export function expandCommand(body: string, root: string, args: string): string {
  const argv = args.split(/\s+/).filter(Boolean);
  return body
    .replaceAll('${CLAUDE_PLUGIN_ROOT}', root)
    .replaceAll('$ARGUMENTS', args)
    .replace(/\$(\d+)/g, (_, index: string) => argv[Number(index)] ?? '');
}

/** The fenced ```sh blocks of a command body: the shell steps it hands to the agent. */
export function shellBlocks(body: string): string[] {
  return [...body.matchAll(/^```sh\n([\s\S]*?)\n```$/gm)].map((m) => m[1].trim());
}

/** Every inline or fenced shell line of a body that calls the bundled CLI. */
export function cliInvocations(body: string): string[] {
  return [...body.matchAll(/node \$\{CLAUDE_PLUGIN_ROOT\}\/[^`\n]*/g)].map((m) => m[0].trim());
}
