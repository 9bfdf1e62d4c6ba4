import type { DeploySummary } from '../contracts/summary.js';

/** One object on one line: easy to pipe to jq, and cheap for an agent to read. */
export function renderJson(summary: DeploySummary & { text?: string }): string {
  return JSON.stringify(summary) + '\n';
}
