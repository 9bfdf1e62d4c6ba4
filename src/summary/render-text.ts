import type { DeploySummary, PostCheckResult, PreCheckResult } from '../contracts/summary.js';
import { formatDuration } from '../config/duration.js';
import { shippedBrief, shippedHeadline } from '../shipped/format.js';
import { hasMigrationNews, migrationsLine } from './migrations-section.js';

const STATUS: Record<DeploySummary['status'], string> = {
  success: 'SUCCESS',
  rolled_back: 'ROLLED BACK',
  failed: 'FAILED',
  blocked: 'BLOCKED',
};

/** Log lines that usually explain a failure. */
const CAUSE_LINE = /error|fail|refused|exception|cannot|denied/i;

/**
 * The summary as plain text: no emoji, no colour, a few short lines. It is what a chat agent relays
 * (Claude Code tells agents to avoid emojis) and what fits a log file. Passed checks are counted,
 * not listed, except the post-checks, whose figures against thresholds are the verification itself.
 */
export function renderText(s: DeploySummary): string {
  const lines: string[] = [];
  lines.push(`Deployment Status: ${STATUS[s.status]}${s.dryRun ? ' (dry run, nothing changed)' : ''} (exit ${s.exitCode})`);
  lines.push(`Environment: ${s.environment}, ${s.strategy} on ${s.platform}${s.url ? `, ${s.url}` : ''}`);
  lines.push(`Pre-checks: ${preLine(s.checks.pre)}`);

  // One line: a numbered list costs the chat's parent conversation a few tokens more per step.
  if (s.plan && s.dryRun) lines.push(`Plan: ${s.plan.steps.join(' | ')}`);
  else if (s.release.id) {
    const commit = s.release.commit ? `, commit ${s.release.commit.slice(0, 7)}` : '';
    lines.push(`Release: ${s.release.id} (version ${s.release.version || '-'}${commit}) in ${formatDuration(s.durationMs)}`);
  } else lines.push(`Release: not started (${formatDuration(s.durationMs)})`);
  // Counts only: the chat relays this text. A first release says nothing the rollback-plan line does not, and
  // the replaced release is named only when the rollback-plan line names another one.
  if (s.shipped?.kind === 'diff') {
    const since = s.shipped.from && !s.rollback.command.endsWith(` ${s.shipped.from.release}`) ? ` since ${s.shipped.from.release}` : '';
    lines.push(`Shipped: ${shippedBrief(s.shipped)}${since}`);
  } else if (s.shipped?.kind === 'unknown') lines.push(`Shipped: ${shippedHeadline(s.shipped)}`);
  // Only what a reader must act on (a failure, or a rollback that is not schema-safe): the chat pays for every line,
  // and a refused contract migration is already the failed pre-check's detail.
  if (hasMigrationNews(s.migrations) && (s.migrations.errors || s.migrations.rollbackSchemaSafe === false)) lines.push(migrationsLine(s.migrations));

  if (s.checks.post.length > 0) {
    const failed = s.checks.post.filter((c) => !c.ok).length;
    lines.push(`Post-checks: ${failed ? `${failed} FAILED` : 'all passed'}`);
    for (const check of s.checks.post) lines.push(`  ${check.ok ? 'ok' : 'FAILED'} ${check.name}: ${postFigure(check)}`);
  }

  if (s.status !== 'success') {
    const logLine = [...(s.logTail ?? [])].reverse().find((line) => CAUSE_LINE.test(line));
    // A failed post-check line already names the cause with its figure and threshold; the message would repeat it.
    const failedPostCheck = s.checks.post.some((c) => !c.ok);
    if (s.message && !(failedPostCheck && s.rollback.performed)) lines.push(`Cause: ${s.message}`);
    if (logLine) lines.push(`Log: ${logLine.trim()}`);
  }
  if (s.rollback.performed) lines.push(`Rollback: traffic back on the previous release${s.rollback.verified === false ? ', NOT verified' : s.rollback.verified ? ', verified' : ''}`);
  if (s.exitCode === 4) lines.push('State uncertain: a human must check.');
  lines.push(s.rollback.command ? `Rollback plan: ${s.rollback.command}` : 'Rollback plan: none (no earlier release)');
  return lines.join('\n') + '\n';
}

/** "all 8 passed", or the failed and warning checks by name with their detail. */
function preLine(checks: PreCheckResult[]): string {
  if (checks.length === 0) return 'none run';
  const notable = checks.filter((c) => !c.ok || c.warning);
  const failed = checks.filter((c) => !c.ok && !c.warning).length;
  const head = failed ? `${failed} FAILED` : `all ${checks.length} passed`;
  if (notable.length === 0) return head;
  return `${head}; ${notable.map((c) => `${c.ok || c.warning ? 'warning' : 'FAILED'} ${c.name}: ${c.detail}`).join('; ')}`;
}

function postFigure(check: PostCheckResult): string {
  if (!check.threshold) return check.value;
  if (/^[<>≤≥=]/.test(check.threshold)) return `${check.value} (${check.threshold})`;
  return check.ok ? check.value : `${check.value} (expected ${check.threshold})`;
}
