import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { cliInvocations, exists, pluginRoot, readJson, readMarkdown, shellBlocks } from './plugin-files.js';

const CLI = 'node ${CLAUDE_PLUGIN_ROOT}/dist/src/cli/main.js';
const COMMANDS = ['deploy', 'deploy-status', 'rollback'];

describe('plugin manifest and marketplace', () => {
  const plugin = readJson('.claude-plugin/plugin.json');
  const marketplace = readJson('.claude-plugin/marketplace.json');
  const pkg = readJson('package.json');

  it('names the plugin deploy, versioned like the package', () => {
    expect(plugin.name).toBe('deploy');
    expect(plugin.version).toBe(pkg.version);
    expect(typeof plugin.description).toBe('string');
  });

  it('declares every non-default component path with ./ and the path exists', () => {
    const paths = ['commands', 'agents', 'skills'].flatMap((key) => [plugin[key] ?? []].flat()) as string[];
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) {
      expect(path.startsWith('./'), path).toBe(true);
      expect(exists(path), path).toBe(true);
    }
  });

  it('loads the recipes bundle as the skill deployment-recipes', () => {
    expect(plugin.skills).toEqual(['./bundles/deployment-recipes']);
    const skill = readMarkdown('bundles/deployment-recipes/SKILL.md');
    expect(skill.frontmatter.name).toBe('deployment-recipes');
    expect(typeof skill.frontmatter.description).toBe('string');
  });

  it('lists the plugin in a marketplace so `plugin install deploy@shipgate` finds it', () => {
    expect(marketplace.name).toBe('shipgate');
    expect(marketplace.owner?.name).toBeTruthy();
    expect(marketplace.plugins).toHaveLength(1);
    const [entry] = marketplace.plugins;
    expect(entry).toMatchObject({ name: plugin.name, source: './', version: plugin.version });
  });
});

describe('commands', () => {
  for (const name of COMMANDS) {
    describe(name, () => {
      const { frontmatter, body } = readMarkdown(`commands/${name}.md`);

      it('has description and argument-hint, and only the user can start it', () => {
        expect(typeof frontmatter.description).toBe('string');
        expect(typeof frontmatter['argument-hint']).toBe('string');
        expect(frontmatter['disable-model-invocation']).toBe(true);
      });

      it('pre-approves only the bundled CLI', () => {
        expect(frontmatter['allowed-tools']).toBe(`Bash(${CLI} *)`);
      });

      it('calls nothing but the bundled CLI, and only in the pre-approved form', () => {
        const calls = cliInvocations(body);
        expect(calls.length).toBeGreaterThan(0);
        for (const call of calls) expect(call.startsWith(`${CLI} `), call).toBe(true);
        expect(body).not.toMatch(/\bnpx\b|\bcurl\b|\brm\b|\bgit\b/);
      });

      it('reads arguments 0-based ($0 first, never $1 for the environment)', () => {
        expect(body).toContain('$ARGUMENTS');
        expect(body).not.toMatch(/\$[1-9]/);
      });

      it('has exactly one shell step, which asks the CLI for --json', () => {
        const blocks = shellBlocks(body);
        expect(blocks).toHaveLength(1);
        expect(blocks[0]).toMatch(/^node \$\{CLAUDE_PLUGIN_ROOT\}\/dist\/src\/cli\/main\.js .*\$ARGUMENTS --json/);
      });
    });
  }

  it('/deploy takes the environment from $0, shows the gate before production and delegates to the agent', () => {
    const { frontmatter, body } = readMarkdown('commands/deploy.md');
    expect(frontmatter['argument-hint']).toContain('staging|production');
    expect(body).toContain('`$0`');
    expect(body).toContain('`status staging`');
    expect(body).toMatch(/confirm/);
    expect(body).toContain('deployment-orchestrator');
    expect(shellBlocks(body)[0]).toBe(`${CLI} $ARGUMENTS --json`);
  });

  it('/rollback confirms in chat before it hands the rollback to the agent', () => {
    const { body } = readMarkdown('commands/rollback.md');
    expect(body).toMatch(/confirm/);
    expect(body).toContain('deployment-orchestrator');
    expect(shellBlocks(body)[0]).toBe(`${CLI} rollback $ARGUMENTS --json`);
  });
});

describe('deployment-orchestrator agent', () => {
  const { frontmatter, body } = readMarkdown('agents/deployment-orchestrator.md');

  it('is named after its file, restricted to Bash and Read, with a model and the bundle preloaded', () => {
    expect(frontmatter.name).toBe('deployment-orchestrator');
    expect(typeof frontmatter.description).toBe('string');
    const tools = String(frontmatter.tools).split(',').map((t) => t.trim());
    expect(tools.sort()).toEqual(['Bash', 'Read']);
    expect(['haiku', 'sonnet', 'opus', 'inherit']).toContain(frontmatter.model);
    expect(frontmatter.skills).toEqual(['deployment-recipes']);
  });

  it('runs the CLI with --json and reads what the CLI points to on failure', () => {
    expect(body).toContain('--json');
    for (const field of ['logTail', 'rollbackPlanPath', 'ok: false']) expect(body).toContain(field);
    expect(body).toMatch(/300 tokens/);
  });

  it('is told the seed Output format headings the tests render', () => {
    for (const heading of [
      'Deployment Status:',
      'Environment:',
      'Strategy:',
      'URL:',
      'Pre-Deployment Checks:',
      'Deployment:',
      'Post-Deployment Verification:',
      'Rollback Plan: Available (manual:',
    ])
      expect(body).toContain(heading);
  });
});

describe('claude plugin validate --strict', () => {
  it('passes with the real validator from @anthropic-ai/claude-code', async () => {
    const { stdout: out } = await promisify(execFile)('bash', [join(pluginRoot, 'scripts/validate-plugin.sh')], { encoding: 'utf8' });
    expect(out.match(/Validation passed/g)).toHaveLength(2);
  }, 120_000);
});
