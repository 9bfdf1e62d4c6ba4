import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, resolveEnvironment } from '../../src/config/index.js';
import { deepMerge } from '../../src/config/merge.js';
import { ROOT } from '../setup/build.js';

/**
 * Every ```yaml block in README.md and docs/**\/*.md goes through the real config loader, as a user's
 * deploy.config.yaml would. The first line of a block says what it is:
 *
 * - no marker: a whole deploy.config.yaml. It is read as written (YAML errors, duplicate keys and all), validated
 *   with the schema and the cross-field rules, and every one of its environments is resolved.
 * - `# fragment`: some keys of a config. They are merged over a minimal whole config (`app`, `start`, one `staging`
 *   environment with a port) and the result is checked the same way; a fragment that names environments brings them.
 * - `# not a deploy config: <what it is>`: YAML that is not a deploy.config.yaml (a CI workflow, a Kubernetes manifest).
 *   It is only parsed as YAML.
 *
 * A shell here-document that writes deploy.config.yaml (`cat > deploy.config.yaml <<'EOF'`) is a whole config too.
 */
const FRAGMENT = /^#\s*fragment\b/;
const NOT_A_CONFIG = /^#\s*not a deploy config:\s*\S/;
const FRAGMENT_BASE = { app: 'docs-example', start: 'node server.js', environments: { staging: { port: 4001 } } };

interface Block {
  where: string;
  text: string;
}

function markdownFiles(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? docs(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : []));
  return [join(ROOT, 'README.md'), ...docs(join(ROOT, 'docs'))];
}

function yamlBlocks(file: string): Block[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```yaml\s*$/.exec(lines[i]);
    if (!fence) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^\s*```\s*$/.test(lines[end])) end++;
    const indent = fence[1].length;
    blocks.push({ where: `${relative(ROOT, file)}:${start}`, text: lines.slice(start, end).map((l) => l.slice(indent)).join('\n') + '\n' });
    i = end;
  }
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /cat > deploy\.config\.yaml <<'?(\w+)'?/.exec(lines[i]);
    if (!heredoc) continue;
    const end = lines.indexOf(heredoc[1], i + 1);
    blocks.push({ where: `${relative(ROOT, file)}:${i + 1}`, text: lines.slice(i + 1, end).join('\n') + '\n' });
  }
  return blocks;
}

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Loads and resolves a config the way `deploy <env>` does; returns the problems, one line each. */
async function problemsOf(configText: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-docs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'deploy.config.yaml'), configText);
  try {
    const { config } = await loadConfig(dir);
    for (const env of Object.keys(config.environments)) await resolveEnvironment(dir, env, { env: {} });
    return [];
  } catch (error) {
    return (error as Error).message.split('\n');
  }
}

const blocks = markdownFiles().flatMap(yamlBlocks);

describe('YAML examples in README.md and docs/', () => {
  it('finds the examples (README has one)', () => {
    expect(blocks.some((b) => b.where.startsWith('README.md:'))).toBe(true);
    expect(blocks.length).toBeGreaterThan(10);
  });

  it.each(blocks.map((b) => [b.where, b] as const))('%s is valid', async (_where, block) => {
    const first = block.text.split('\n')[0];
    if (NOT_A_CONFIG.test(first)) {
      expect(() => parse(block.text)).not.toThrow();
      return;
    }
    const text = FRAGMENT.test(first) ? stringify(deepMerge(FRAGMENT_BASE, parse(block.text, { uniqueKeys: true }))) : block.text;
    expect(await problemsOf(text), block.where).toEqual([]);
  });
});
