import type { PostCheckResult } from '../../contracts/summary.js';

/** "Error Rate 5.0% (threshold < 1%)": the failed check, its measured value and its threshold. */
export function describeFailure(check: PostCheckResult): string {
  return `${check.name} ${check.value} (threshold ${check.threshold})`;
}

export function firstFailure(results: PostCheckResult[]): PostCheckResult {
  return results.find((r) => !r.ok) ?? { name: 'Verification', ok: false, value: 'no result', threshold: 'passed' };
}
