import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as anthropicLegacy } from '@anthropic-ai/tokenizer';
import { renderText } from '../../src/summary/render-text.js';
import type { DeploySummary } from '../../src/contracts/summary.js';
import { pluginRoot } from './plugin-files.js';
import { rolledBackDeploy, verifiedDeploy } from './summaries.js';

/**
 * The plain-text summary the deployer agent relays to the parent conversation, for two real deploys of the
 * example app (tests/plugin/capture-summaries.sh) and two worst-case ones with every pre-check. What really
 * reaches the parent on each path, as the real client sends it, is measured in tests/claude-code/deploy-chat.test.ts.
 * @anthropic-ai/tokenizer is the tokenizer Anthropic published (Claude 2 era): an approximation for current models.
 */
const SUMMARY_BUDGET = 300;
const real = (name: string): DeploySummary => JSON.parse(readFileSync(join(pluginRoot, 'tests/plugin/fixtures', `${name}.json`), 'utf8'));
const cases: Array<[string, DeploySummary]> = [
  ['real verified deploy', real('real-verified')],
  ['real rolled-back deploy', real('real-rolled-back')],
  ['worst-case verified deploy', verifiedDeploy],
  ['worst-case rolled-back deploy', rolledBackDeploy],
];

describe('plain-text summary (deploy --text)', () => {
  it.each(cases)(`%s: within ${SUMMARY_BUDGET} tokens by both tokenizers, no emoji, no ANSI`, (_label, summary) => {
    const text = renderText(summary);
    expect(o200k(text)).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expect(anthropicLegacy(text)).toBeLessThanOrEqual(SUMMARY_BUDGET);
    expect(text).not.toMatch(/\p{Extended_Pictographic}|\u001b\[/u);
    expect(text.split('\n')[0]).toMatch(/^Deployment Status: (SUCCESS|ROLLED BACK) \(exit [01]\)$/);
  });

  it('a rolled-back deploy names the failed check against its threshold, the log line, and where traffic is', () => {
    const text = renderText(rolledBackDeploy);
    expect(text).toContain('FAILED Error Rate: 7.8% (39/500) (< 1%)');
    // The failed check carries the cause; the message, which repeats it, is left out.
    expect(text).not.toContain('Cause:');
    expect(text).toContain('Log: Error: SQLITE_ERROR: no such column: items.price_cents');
    expect(text).toContain('Rollback: traffic back on the previous release, verified');
  });

  it('fits in 14 lines', () => {
    const text = renderText(rolledBackDeploy);
    console.log(`plain-text summary of the worst-case rolled-back deploy: ${o200k(text)} tokens (o200k), ${anthropicLegacy(text)} (@anthropic-ai/tokenizer)`);
    expect(text.split('\n').length).toBeLessThanOrEqual(14);
  });
});
