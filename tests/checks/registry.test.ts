import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRecipes } from '../../src/bundle/load.js';
import { renderPreChecksPage } from '../../src/checks/docs.js';
import { buildPreChecks } from '../../src/checks/index.js';
import { PRE_CHECK_NAMES, PRE_CHECKS } from '../../src/checks/registry.js';
import { buildPlan } from '../../src/orchestrator/plan.js';
import { CLI_SIDE_CHECKS } from '../../src/remote/run-on-hosts.js';
import { ROOT } from '../setup/build.js';
import { makePlan } from '../orchestrator/helpers.js';

/** The summary titles of the registry's checks that are built, less some. */
const titlesExcept = (...names: string[]) => PRE_CHECKS.filter((c) => c.build && !names.includes(c.name)).map((c) => c.title);

describe('the pre-check registry (src/checks/registry.ts)', () => {
  it('each check declares a unique name and order, its summary title and its row of the docs', () => {
    expect(new Set(PRE_CHECK_NAMES).size).toBe(PRE_CHECKS.length);
    expect(new Set(PRE_CHECKS.map((c) => c.order)).size).toBe(PRE_CHECKS.length);
    expect(PRE_CHECKS.map((c) => c.order)).toEqual([...PRE_CHECKS.map((c) => c.order)].sort((a, b) => a - b));
    for (const check of PRE_CHECKS) {
      expect(check.name, check.name).toMatch(/^[a-z][a-z-]*$/);
      for (const text of [check.title, check.docs.passesWhen, check.docs.figure, check.docs.reads]) expect(text.trim(), check.name).not.toBe('');
    }
  });

  it('a deploy runs every registered check, in the registry order, with no recipes.yaml list; a rollback lists only the lock', async () => {
    const plan = await makePlan();
    expect(plan.preChecks).toEqual(PRE_CHECK_NAMES);
    expect(plan.steps[0].text).toBe(`pre-checks (parallel): ${PRE_CHECKS.map((c) => c.planText?.(plan.config) ?? c.name).join(', ')}`);
    expect((await makePlan({ kind: 'rollback' })).steps[0].text).toBe('pre-checks: lock');
  });

  it('buildPreChecks builds every check the registry builds, then the platform\'s own, and nothing else', async () => {
    // production (it requires staging: the gate applies) with a pre-deploy hook: every check applies.
    const plan = await makePlan({ env: 'production' });
    mkdirSync(join(plan.config.projectRoot, '.deploy/hooks'), { recursive: true });
    writeFileSync(join(plan.config.projectRoot, '.deploy/hooks/pre-deploy'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const built = (await buildPreChecks(plan)).map((c) => c.name);
    expect(built).toEqual([...PRE_CHECKS.filter((c) => c.build).map((c) => c.title), 'Data Loss']);
    // Without the hook and without requires:, those two do not apply.
    expect((await buildPreChecks(await makePlan())).map((c) => c.name)).toEqual([...titlesExcept('gate', 'hooks'), 'Data Loss']);
  });

  it('recipes.yaml turns a check off with preChecks.skip: gone from the plan, its text and the checks built', async () => {
    const base = await makePlan();
    const recipes = await loadRecipes();
    const plan = buildPlan({
      kind: 'deploy',
      config: base.config,
      recipes: { ...recipes, preChecks: { skip: ['git', 'migrations'] } },
      options: base.options,
      dryRun: false,
      toolVersion: base.toolVersion,
      now: new Date(base.createdAt),
    });
    expect(plan.preChecks).toEqual(PRE_CHECK_NAMES.filter((n) => n !== 'git' && n !== 'migrations'));
    expect(plan.steps[0].text).not.toMatch(/\bgit\b|migrations/);
    expect((await buildPreChecks(plan)).map((c) => c.name)).toEqual([...titlesExcept('gate', 'hooks', 'git', 'migrations'), 'Data Loss']);
  });

  it('on servers over SSH, the checks that declare cliSide run where the CLI is', () => {
    expect(CLI_SIDE_CHECKS).toEqual(['tests', 'git', 'gate']);
  });

  it('docs/pre-checks.md lists the registry (npm run docs)', () => {
    const page = readFileSync(join(ROOT, 'docs/pre-checks.md'), 'utf8');
    expect(page).toBe(renderPreChecksPage(page));
    for (const check of PRE_CHECKS) expect(page).toContain(`| ${check.title} (\`${check.name}\`) |`);
  });
});
