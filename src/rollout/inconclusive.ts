import { ExitCode } from '../errors.js';
import type { DeployOutcome } from '../orchestrator/types.js';
import type { PostDeployResult } from '../verify/post-deploy.js';
import type { VerificationReport } from '../contracts/summary.js';
import { describeVerification } from '../verify/report.js';
import type { RolloutInput } from './types.js';
import { releaseOf } from './outcome.js';
import type { RunningRelease } from './target.js';

/**
 * `verify.onInconclusive: hold | promote` after an inconclusive window (rollback goes through the ordinary
 * switch back). Both leave traffic on green with blue kept warm, and neither counts as verified:
 * hold ends with exit 4 for a human to decide; promote keeps the release and says it was never verified.
 */
export async function keepInconclusive(
  input: RolloutInput,
  green: RunningRelease,
  blue: RunningRelease | null,
  verification: PostDeployResult,
  report: VerificationReport,
  warmMs: number,
): Promise<DeployOutcome> {
  const { ctx, target, release } = input;
  const env = ctx.config.environment;
  const policy = ctx.config.verify.onInconclusive;
  if (blue) await target.retire(blue.id, warmMs, ctx.config.drainTimeoutMs);
  const why = `verification ${describeVerification(report)}`;
  const back = blue ? `; \`deploy rollback ${env}\` returns to ${blue.id} (kept warm)` : '';
  const base = { release: releaseOf(release), previousRelease: blue?.id ?? null, post: verification.results, rollback: { performed: false, reason: null }, verified: false, verification: report };
  if (policy === 'promote') {
    ctx.emit({ phase: 'verify', state: 'warn', message: `${why}: kept, NOT verified` });
    return { ...base, status: 'success', message: `${why}: ${green.id} kept but NOT verified${back}` };
  }
  ctx.emit({ phase: 'verify', state: 'warn', message: `${why}: holding on ${green.id}` });
  return { ...base, status: 'failed', exitCode: ExitCode.needsHuman, message: `${why}: traffic stays on ${green.id}, needs a human${back}` };
}
