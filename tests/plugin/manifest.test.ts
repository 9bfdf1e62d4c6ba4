import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { freshPluginSkill, PLUGIN_SKILL, renderPluginSkill } from '../../src/bundle/plugin-skill.js';
import { exists, pluginRoot, readJson, readMarkdown, RUNNER, shellBlocks } from './plugin-files.js';

const COMMANDS = ['deploy', 'deploy-status', 'rollback'];
const EMOJI = /\p{Extended_Pictographic}/u;

describe('plugin manifest and marketplace', () => {
  const plugin = readJson('plugin/.claude-plugin/plugin.json');
  const marketplace = readJson('.claude-plugin/marketplace.json');
  const pkg = readJson('package.json');

  it('names the plugin shipgate (so it reads /shipgate:deploy), versioned like the package', () => {
    expect(plugin.name).toBe('shipgate');
    expect(plugin.version).toBe(pkg.version);
  });

  it('lists plugin/ as the source: no package.json or lock file there, so installing runs no npm ci', () => {
    expect(marketplace.name).toBe('shipgate');
    expect(marketplace.plugins).toHaveLength(1);
    expect(marketplace.plugins[0]).toMatchObject({ name: 'shipgate', source: './plugin', version: plugin.version });
    for (const name of ['package.json', 'package-lock.json', 'node_modules', 'npm-shrinkwrap.json']) expect(exists(`plugin/${name}`), name).toBe(false);
  });

  it('ships in the npm package (files) so `deploy init --claude` and an install from node_modules find it', () => {
    expect(pkg.files).toContain('plugin');
    expect(pkg.files).toContain('.claude-plugin');
  });

  it('registers the approval hook on Bash', () => {
    const hooks = readJson('plugin/hooks/hooks.json');
    expect(hooks.hooks.PreToolUse).toEqual([
      { matcher: 'Bash', hooks: [{ type: 'command', command: 'node "${CLAUDE_PLUGIN_ROOT}/hooks/production-approval.mjs"', timeout: 60 }] },
    ]);
  });
});

describe('commands', () => {
  for (const name of COMMANDS) {
    describe(name, () => {
      const { frontmatter, body } = readMarkdown(`plugin/commands/${name}.md`);

      it('only the user can start it, and its one tool is the agent', () => {
        expect(typeof frontmatter.description).toBe('string');
        expect(typeof frontmatter['argument-hint']).toBe('string');
        expect(frontmatter['disable-model-invocation']).toBe(true);
        expect(frontmatter['allowed-tools']).toBe('Agent');
      });

      it('hands one line running the pinned-CLI runner with --json to the namespaced agent', () => {
        const blocks = shellBlocks(body);
        expect(blocks).toHaveLength(1);
        expect(blocks[0].startsWith(`${RUNNER} `)).toBe(true);
        expect(blocks[0]).toMatch(/\$ARGUMENTS --json/);
        expect(body).toContain('shipgate:deployer agent');
        expect(body).not.toMatch(/\bnpx\b|\bcurl\b|\brm\b|\bgit\b|\$[1-9]/);
      });

      it('has no emoji', () => expect(body).not.toMatch(EMOJI));
    });
  }

  it('/deploy and /rollback ask the CLI for the plain-text summary', () => {
    expect(shellBlocks(readMarkdown('plugin/commands/deploy.md').body)[0]).toBe(`${RUNNER} $ARGUMENTS --json --text`);
    expect(shellBlocks(readMarkdown('plugin/commands/rollback.md').body)[0]).toBe(`${RUNNER} rollback $ARGUMENTS --json --text`);
    expect(shellBlocks(readMarkdown('plugin/commands/deploy-status.md').body)[0]).toBe(`${RUNNER} status $ARGUMENTS --json`);
  });
});

describe('deployer agent', () => {
  const { frontmatter, body } = readMarkdown('plugin/agents/deployer.md');

  it('is named deployer (shipgate:deployer once namespaced), restricted to Bash and Read, with the recipes preloaded', () => {
    expect(frontmatter.name).toBe('deployer');
    expect(String(frontmatter.tools).split(',').map((t) => t.trim()).sort()).toEqual(['Bash', 'Read']);
    expect(frontmatter.skills).toEqual(['deployment-recipes']);
  });

  it('has a case for every JSON shape the CLI prints, the error shape included, and no emoji', () => {
    for (const shape of ['`text`', '`"status":"error"`', '`deployed`', '`environments`', 'not JSON']) expect(body).toContain(shape);
    expect(body).toContain('Only `"status":"success"` with `"exitCode":0` is a success');
    expect(body).not.toMatch(EMOJI);
  });
});

describe('deployment-recipes skill', () => {
  it('carries the thresholds: recipes.yaml verbatim, so they reach the agent that preloads it (npm run docs writes it)', () => {
    const skill = readFileSync(join(pluginRoot, PLUGIN_SKILL), 'utf8');
    const recipes = readFileSync(join(pluginRoot, 'bundles/deployment-recipes/recipes.yaml'), 'utf8');
    expect(skill).toContain('```yaml\n' + recipes + '```');
    expect(skill, `${PLUGIN_SKILL} is stale: run npm run docs`).toBe(freshPluginSkill(pluginRoot));
    expect(readMarkdown('plugin/skills/deployment-recipes/SKILL.md').frontmatter.name).toBe('deployment-recipes');
    expect(readdirSync(join(pluginRoot, 'plugin/skills'))).toEqual(['deployment-recipes']);
  });

  it('the copy replaces the yaml block and nothing else; a skill without one is refused', () => {
    expect(renderPluginSkill('# R\n```yaml\nold: 1\n```\n- prose\n', 'new: 2\n')).toBe('# R\n```yaml\nnew: 2\n```\n- prose\n');
    expect(() => renderPluginSkill('# R\n', 'new: 2\n')).toThrow(/has no ```yaml block/);
  });
});

describe('claude plugin validate --strict', () => {
  it('passes with the real validator from @anthropic-ai/claude-code', async () => {
    const { stdout: out } = await promisify(execFile)('bash', [join(pluginRoot, 'scripts/validate-plugin.sh')], { encoding: 'utf8' });
    expect(out.match(/Validation passed/g)).toHaveLength(2);
  }, 120_000);
});
