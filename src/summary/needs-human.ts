import type { DeploySummary } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';

/**
 * For exit 4: what a human needs to look at, in one line. The summary's message names where traffic is and
 * what failed; without one, the failed checks do, and without those the bare fact is still recorded.
 */
export function needsHumanOf(summary: DeploySummary): string | null {
  if (summary.exitCode !== ExitCode.needsHuman) return null;
  if (summary.message) return summary.message;
  const failed = [...summary.checks.post, ...summary.checks.pre.map((c) => ({ name: c.name, ok: c.ok || !!c.warning, value: c.detail }))].filter((c) => !c.ok);
  if (failed.length > 0) return failed.map((c) => `${c.name}: ${c.value}`).join('; ');
  return 'the outcome could not be verified';
}
