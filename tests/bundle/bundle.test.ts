import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { bundleDir, loadRecipes, parseRecipes } from '../../src/bundle/load.js';
import { bundleDefaults } from '../../src/bundle/defaults.js';
import { UserError } from '../../src/errors.js';
import { PRE_CHECK_NAMES } from '../../src/checks/registry.js';
import { resolveEnvironment } from '../../src/config/resolve.js';
import { project } from '../config/helpers.js';

/** The tokenizer named by the budget: gpt-tokenizer's o200k_base encoding (GPT-4o family). */
const TOKENIZER = 'gpt-tokenizer o200k_base';
const BUDGET = 450;

describe('deployment-recipes bundle', () => {
  it(`SKILL.md + recipes.yaml stay within ${BUDGET} tokens (${TOKENIZER})`, () => {
    const dir = bundleDir();
    const tokens = ['SKILL.md', 'recipes.yaml'].reduce((sum, f) => sum + encode(readFileSync(join(dir, f), 'utf8')).length, 0);
    console.log(`bundle: ${tokens} tokens (${TOKENIZER})`);
    expect(tokens).toBeLessThanOrEqual(BUDGET);
  });

  it('SKILL.md is a Claude Code skill with name and description frontmatter', () => {
    const text = readFileSync(join(bundleDir(), 'SKILL.md'), 'utf8');
    const front = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '';
    expect(front).toMatch(/^name: deployment-recipes$/m);
    expect(front).toMatch(/^description: .{20,}$/m);
  });

  it('holds the seed defaults and validates', async () => {
    const r = await loadRecipes();
    expect(r.strategies.default).toBe('blue-green');
    expect(r.thresholds).toMatchObject({ errorRate: '1%', p95: '500ms' });
    expect(r.preChecks).toEqual({ skip: [] });
    expect(r.guard).toMatchObject({ production: '30m', staging: '5m' });
    expect(bundleDefaults(r, 'production', ['staging', 'production'])).toMatchObject({ requires: 'staging', guard: '30m' });
  });

  it('rejects a broken bundle with the path of the problem', async () => {
    const r = await loadRecipes();
    expect(() => parseRecipes({ ...r, thresholds: { ...r.thresholds, p95: 'quick' } })).toThrow(/thresholds\.p95: expected a duration/);
    expect(() => parseRecipes({ ...r, strategies: { ...r.strategies, canary: { steps: [50, 10], interval: '1m' } } })).toThrow(/strategies\.canary\.steps/);
  });

  it('refuses a check name it does not know, or the lock, exit 2, naming the file, the field and the known checks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipgate-recipes-'));
    const withSkip = (skip: string) => readFileSync(join(bundleDir(), 'recipes.yaml'), 'utf8').replace(/^preChecks: \{ skip: \[\] \}$/m, `preChecks: { skip: [${skip}] }`);
    writeFileSync(join(dir, 'recipes.yaml'), withSkip('git, smoke-test'));
    const unknown = await loadRecipes(dir).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(UserError);
    expect(unknown).toMatchObject({ exitCode: 2 });
    expect((unknown as Error).message).toBe(
      `${join(dir, 'recipes.yaml')}: preChecks.skip[1]: unknown check "smoke-test"; known: ${PRE_CHECK_NAMES.join(', ')}`,
    );
    writeFileSync(join(dir, 'recipes.yaml'), withSkip('lock'));
    await expect(loadRecipes(dir)).rejects.toThrow(`${join(dir, 'recipes.yaml')}: preChecks.skip[0]: "lock" cannot be skipped: the orchestrator takes it itself`);
    writeFileSync(join(dir, 'recipes.yaml'), withSkip('git'));
    expect((await loadRecipes(dir)).preChecks.skip).toEqual(['git']);
    rmSync(dir, { recursive: true, force: true });
  });

  it("the user's config overrides the bundle's defaults", async () => {
    const dir = project('app: a\nstart: x\nstrategy: canary\nverify: { p95: 250ms, errorRate: 0.5% }\ncanary: { steps: [5, 100] }\nenvironments: { staging: { port: 4001, guard: 1m } }\n');
    const env = await resolveEnvironment(dir, 'staging', { env: {} });
    expect(env).toMatchObject({ strategy: 'canary', guardMs: 60_000, canary: { steps: [0.05, 1] } });
    expect(env.verify).toMatchObject({ p95Ms: 250, errorRate: 0.005, windowMs: 30_000, minRequests: 200 });
  });
});
