import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { renderAgentSummary } from './agent-summary.js';
import { expandCommand, installedRoot, pluginRoot, readMarkdown, shellBlocks } from './plugin-files.js';
import { rolledBackDeploy, verifiedDeploy } from './summaries.js';
import type { DeploySummary } from '../../src/contracts/summary.js';

/** Captured from real deploys of the example app by tests/plugin/capture-summaries.sh. */
const real = (name: string): DeploySummary =>
  JSON.parse(readFileSync(join(pluginRoot, 'tests/plugin/fixtures', `${name}.json`), 'utf8'));
const realVerified = real('real-verified');
const realRolledBack = real('real-rolled-back');

/**
 * Token budget of the chat path, measured with gpt-tokenizer's o200k_base
 * encoding (the GPT-4o tokenizer; Claude's own tokenizer is not public, so
 * this is a stand-in that counts within a few percent on English and JSON).
 */
const BUNDLE_BUDGET = 450;
const SUMMARY_BUDGET = 300;
const PARENT_BUDGET = 800;

const bundleText = ['SKILL.md', 'recipes.yaml']
  .map((file) => readFileSync(join(pluginRoot, 'bundles/deployment-recipes', file), 'utf8'))
  .join('\n');

/** The /deploy prompt as the parent model receives it: frontmatter dropped, variables expanded. */
function commandPrompt(args: string): string {
  return expandCommand(readMarkdown('commands/deploy.md').body, installedRoot, args);
}

/** The line the parent hands to the agent. */
function shellLine(args: string): string {
  return shellBlocks(commandPrompt(args))[0];
}

const figures: Record<string, number> = {};
function measure(label: string, text: string): number {
  figures[label] = countTokens(text);
  return figures[label];
}

describe('token budget (o200k_base)', () => {
  it(`the recipes bundle is within ${BUNDLE_BUDGET}`, () => {
    expect(measure('bundle (SKILL.md + recipes.yaml)', bundleText)).toBeLessThanOrEqual(BUNDLE_BUDGET);
  });

  it('the /deploy prompt plus the bundle is what the parent loads', () => {
    const command = measure('/deploy staging prompt', commandPrompt('staging'));
    measure('/deploy production prompt', commandPrompt('production'));
    const loaded = measure('prompt + bundle', commandPrompt('staging') + '\n' + bundleText);
    expect(command).toBeGreaterThan(50);
    expect(loaded).toBeLessThan(PARENT_BUDGET);
  });

  it(`the agent's summary of a verified deploy is within ${SUMMARY_BUDGET}`, () => {
    const text = renderAgentSummary(verifiedDeploy);
    expect(text).toContain('Deployment Status: ✅ SUCCESS');
    expect(text).toContain('✅ Error Rate: 0.1% (< 1% threshold)');
    expect(measure('summary: verified deploy', text)).toBeLessThanOrEqual(SUMMARY_BUDGET);
  });

  it(`the agent's summary of a rolled-back deploy is within ${SUMMARY_BUDGET}`, () => {
    const text = renderAgentSummary(rolledBackDeploy);
    expect(text).toContain('Deployment Status: ↩️ ROLLED BACK');
    expect(text).toContain('❌ Error Rate: 7.8% (39/500) (< 1% threshold)');
    expect(text).toContain('Cause: Error: SQLITE_ERROR: no such column: items.price_cents');
    expect(text).toContain('Rollback: traffic back on the previous release, verified');
    expect(measure('summary: rolled-back deploy', text)).toBeLessThanOrEqual(SUMMARY_BUDGET);
  });

  it(`the agent's summaries of the captured real deploys (verified, rolled back) are within ${SUMMARY_BUDGET}`, () => {
    expect(realVerified.status).toBe('success');
    expect(realRolledBack.status).toBe('rolled_back');
    const verified = renderAgentSummary(realVerified);
    const rolledBack = renderAgentSummary(realRolledBack);
    expect(verified).toContain('Deployment Status: ✅ SUCCESS');
    expect(rolledBack).toContain('Deployment Status: ↩️ ROLLED BACK');
    expect(rolledBack).toMatch(/❌ Error Rate: .* \(< 1% threshold\)/);
    expect(rolledBack).toContain('Rollback: traffic back on the previous release, verified');
    expect(measure('summary: real verified deploy', verified)).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expect(measure('summary: real rolled-back deploy', rolledBack)).toBeLessThanOrEqual(SUMMARY_BUDGET);
  });

  it('is smaller than the CLI\'s own terminal summary, which the agent condenses', async () => {
    // The CLI's human renderer (src/summary) prints every check and the whole log tail;
    // the agent returns the condensed form, so the parent never holds the full one.
    const { renderHuman, colorFor } = await import('../../src/summary/index.js');
    const plain = colorFor({ isTTY: false }, { NO_COLOR: '1' });
    for (const [label, summary] of [
      ['verified', verifiedDeploy],
      ['rolled-back', rolledBackDeploy],
    ] as const) {
      const cli = measure(`CLI terminal summary (src/summary renderHuman): ${label}`, renderHuman(summary, plain));
      expect(countTokens(renderAgentSummary(summary))).toBeLessThanOrEqual(cli);
    }
  });

  it(`the parent's total stays within ${PARENT_BUDGET}`, () => {
    const loaded = commandPrompt('staging') + '\n' + bundleText;
    const worst = [verifiedDeploy, rolledBackDeploy, realVerified, realRolledBack]
      .map((s) => countTokens(loaded + '\n' + renderAgentSummary(s)))
      .reduce((a, b) => Math.max(a, b));
    figures['parent total (worst of the four)'] = worst;
    // What Claude Code itself puts in the parent: the skill is preloaded into the
    // agent (skills: [deployment-recipes]), so the parent only sees its listing.
    const skill = readMarkdown('bundles/deployment-recipes/SKILL.md').frontmatter;
    const listing = `- deploy:deployment-recipes: ${String(skill.description)}`;
    const agentCall = `deployment-orchestrator: ${shellLine('staging')}`;
    figures['parent as Claude Code loads it (prompt + skill listing + agent call + rolled-back summary)'] = countTokens(
      [commandPrompt('staging'), listing, agentCall, renderAgentSummary(rolledBackDeploy)].join('\n'),
    );
    console.log(
      'plugin token figures (o200k_base):\n' +
        Object.entries(figures)
          .map(([k, v]) => `  ${k}: ${v}`)
          .join('\n'),
    );
    expect(worst).toBeLessThanOrEqual(PARENT_BUDGET);
  });
});
