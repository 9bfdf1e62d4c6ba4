import type { PostCheckResult } from '../contracts/summary.js';
import { ExitCode } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import type { ReleaseMeta } from './target.js';

/** "Error Rate 5.0% (threshold < 1%)": the failed check, its measured value and its threshold. */
export function describeFailure(check: PostCheckResult): string {
  return `${check.name} ${check.value} (threshold ${check.threshold})`;
}

export function releaseOf(release: ReleaseMeta): DeployOutcome['release'] {
  return { id: release.id, version: release.version, commit: release.commit, contentHash: release.contentHash };
}

/** Green never got traffic: blue (if any) is untouched. Exit 1. */
export function failedBeforeSwitch(release: ReleaseMeta, previous: string | null, check: PostCheckResult, logTail: string[], post: PostCheckResult[] = [check]): DeployOutcome {
  return {
    status: 'failed',
    exitCode: ExitCode.rolledBack,
    release: releaseOf(release),
    previousRelease: previous,
    post,
    rollback: { performed: false, reason: describeFailure(check) },
    message: `${describeFailure(check)}; green ${release.id} was stopped before it got traffic${previous ? `, ${previous} still serves` : ''}`,
    logTail,
    verified: false,
  };
}

/** The first failed check of a verification (a named placeholder when none says why). */
export function firstFailure(results: PostCheckResult[]): PostCheckResult {
  return results.find((r) => !r.ok) ?? { name: 'Verification', ok: false, value: 'no result', threshold: 'passed' };
}
