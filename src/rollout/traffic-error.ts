import type { PostCheckResult } from '../contracts/summary.js';

/**
 * A traffic move the target could not make, and what it knows about where the traffic is. 'unchanged': nothing
 * moved (someone else changed the route, say), so green is stopped and the deploy fails with exit 1. 'unknown': the
 * move may or may not have applied, so nothing more is touched and a human looks (exit 4). `message` is the
 * outcome's, with the target's own state report.
 */
export class TrafficError extends Error {
  constructor(
    readonly traffic: 'unchanged' | 'unknown',
    message: string,
    readonly check: PostCheckResult,
    /** The summary's rollback reason, e.g. "concurrent change of the Service selector". */
    readonly reason: string,
  ) {
    super(message);
    this.name = 'TrafficError';
  }
}
