import type { PostCheckResult, VerificationReport } from '../contracts/summary.js';
import { describeVerification } from '../verify/report.js';

/** "❌ 2 FAILED", "❔ 3 INCONCLUSIVE" (nothing failed, too few samples) or "✅ ALL PASSED". */
export function postHeadline(checks: PostCheckResult[]): string {
  const failed = checks.filter((p) => !p.ok && !p.inconclusive).length;
  const inconclusive = checks.filter((p) => p.inconclusive).length;
  if (failed) return `❌ ${failed} FAILED`;
  if (inconclusive) return `❔ ${inconclusive} INCONCLUSIVE`;
  return '✅ ALL PASSED';
}

export function postMark(check: PostCheckResult): string {
  return check.ok ? '✅' : check.inconclusive ? '❔' : '❌';
}

/** Which case decided and on how many requests, against what. */
export function verificationLine(report: VerificationReport): string {
  const against = report.baseline ? `; compared with ${report.baseline}` : '; no earlier release to compare with: absolute limits only';
  return `${describeVerification(report)}${against}`;
}
