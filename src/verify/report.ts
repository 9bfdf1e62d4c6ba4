import type { VerificationReport } from '../contracts/summary.js';
import type { PostDeployResult } from './post-deploy.js';

export type InconclusivePolicy = 'rollback' | 'hold' | 'promote';

/** What the summary says about how verification decided, with its sample counts. */
export function verificationReport(result: PostDeployResult, policy: InconclusivePolicy, required: number, baseline: string | null): VerificationReport {
  return {
    outcome: result.outcome,
    decision: result.outcome === 'inconclusive' ? `inconclusive: ${policy}` : result.outcome,
    samples: { candidate: result.samples.candidate, baseline: result.samples.baseline, required },
    baseline: result.samples.baseline === null ? null : baseline,
    decidedAtMs: Math.round(result.decidedAtMs),
    early: result.early,
    extendedMs: result.window.extendedMs,
  };
}

/** "inconclusive after 1m (green 100 requests, blue 2,000; 200 needed)": the line the summary and messages use. */
export function describeVerification(report: VerificationReport, labels = { subject: 'green', baseline: 'blue' }): string {
  const s = report.samples;
  const counts = [`${labels.subject} ${s.candidate} requests`, ...(s.baseline === null ? [] : [`${labels.baseline} ${s.baseline}`])].join(', ');
  const extended = report.extendedMs > 0 ? `, window extended by ${Math.round(report.extendedMs / 1000)}s` : '';
  const verb = report.outcome === 'pass' ? 'passed' : report.outcome === 'fail' ? (report.early ? 'failed early' : 'failed') : 'inconclusive';
  const policy = report.outcome === 'inconclusive' ? ` → ${report.decision.slice('inconclusive: '.length)} (verify.onInconclusive)` : '';
  return `${verb} after ${(report.decidedAtMs / 1000).toFixed(1)}s (${counts}; ${s.required} needed${extended})${policy}`;
}
