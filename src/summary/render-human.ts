import type { ChalkInstance } from 'chalk';
import type { DeploySummary, PostCheckResult, PreCheckResult } from '../contracts/summary.js';
import { formatDuration } from '../config/duration.js';
import { shippedDetails, shippedHeadline } from '../shipped/format.js';
import { postHeadline, postMark, verificationLine } from './verification-line.js';
import { hasMigrationNews, migrationsSection } from './migrations-section.js';

const STATUS_LINE: Record<DeploySummary['status'], string> = {
  success: '✅ SUCCESS',
  rolled_back: '↩️ ROLLED BACK',
  failed: '❌ FAILED',
  blocked: '⛔ BLOCKED',
};

const HOST_MARK: Record<DeploySummary['status'], string> = { success: '✅', rolled_back: '↩️', failed: '❌', blocked: '⛔' };

/** The seed's Output block: status, where, pre-checks with figures, the deployment, post-checks against thresholds, the way back. */
export function renderHuman(s: DeploySummary, c: ChalkInstance): string {
  const lines: string[] = [];
  const status = s.dryRun && s.status === 'success' ? '🔍 DRY RUN (nothing changed)' : STATUS_LINE[s.status];
  const paint = s.status === 'success' ? c.green : s.status === 'rolled_back' ? c.yellow : c.red;
  lines.push(`Deployment Status: ${paint.bold(status)}`, '');
  lines.push(`Environment: ${s.environment}`, `Strategy: ${s.strategy}`);
  if (s.url) lines.push(`URL: ${s.url}`);
  lines.push('');

  lines.push(`Pre-Deployment Checks: ${preHeadline(s.checks.pre)}`);
  for (const check of s.checks.pre) lines.push(`  ${preMark(check)} ${check.name}: ${check.detail}`);
  lines.push('');

  if (s.plan) {
    lines.push('Plan:');
    s.plan.steps.forEach((step, i) => lines.push(`  ${i + 1}. ${step}`));
    lines.push('');
    if (s.plan.manifests?.length) lines.push('Manifests:', ...s.plan.manifests.map((doc) => `---\n${doc.trimEnd()}`), '');
  }

  if (s.release.id) {
    lines.push(`Deployment: ${s.status === 'success' ? '✅ COMPLETE' : s.status === 'rolled_back' ? '↩️ ROLLED BACK' : '❌ FAILED'}`);
    lines.push(`  Duration: ${formatDuration(s.durationMs)}`);
    lines.push(`  Version: ${s.release.version || s.release.id}`);
    if (s.release.commit) lines.push(`  Commit: ${s.release.commit.slice(0, 7)}`);
    lines.push('');
  } else {
    lines.push(`Deployment: ⏭ NOT STARTED (${formatDuration(s.durationMs)})`, '');
  }

  // Within the summary's token budget: the count, two commits and one line each for migrations and dependencies.
  if (s.shipped) {
    lines.push(`What Shipped: ${shippedHeadline(s.shipped, { counts: false })}`);
    for (const line of shippedDetails(s.shipped, { commits: 2, commitWidth: 60, width: 80, more: false })) lines.push(`  ${line}`);
    lines.push('');
  }
  if (hasMigrationNews(s.migrations)) lines.push(...migrationsSection(s.migrations), '');

  if (s.hosts?.length) {
    lines.push('Hosts:');
    for (const host of s.hosts) lines.push(`  ${HOST_MARK[host.status]} ${host.host}: ${host.status.replace('_', ' ')}${host.release ? ` (${host.release})` : ''}${host.message && host.status !== 'success' ? ` — ${host.message}` : ''}`);
    lines.push('');
  }

  if (s.checks.post.length > 0) {
    lines.push(`Post-Deployment Verification: ${postHeadline(s.checks.post)}`);
    for (const check of s.checks.post) lines.push(`  ${postMark(check)} ${check.name}: ${postFigure(check)}`);
    if (s.verification) lines.push(`  Decided: ${verificationLine(s.verification)}`);
    lines.push('');
  }

  if (s.rollback.performed) {
    const verified = s.rollback.verified === false ? ' (NOT verified)' : s.rollback.verified ? ' (verified)' : '';
    lines.push(`Rollback: performed${verified}${s.rollback.reason ? `: ${s.rollback.reason}` : ''}`);
  }
  const plan = s.rollbackPlanPath ? `; plan: ${s.rollbackPlanPath}` : '';
  lines.push(s.rollback.command ? `Rollback Plan: Available (manual: ${s.rollback.command})${plan}` : `Rollback Plan: none (no earlier release)${plan}`);

  if (s.logTail?.length) {
    lines.push('', 'Last log lines of the new release:');
    for (const line of s.logTail) lines.push(`  ${line}`);
  }
  if (s.message) lines.push('', paint(s.message));
  return lines.join('\n') + '\n';
}

function preHeadline(checks: PreCheckResult[]): string {
  if (checks.length === 0) return 'none run';
  const failed = checks.filter((c) => !c.ok && !c.warning).length;
  if (failed) return `❌ ${failed} FAILED`;
  return checks.some((c) => c.warning) ? '✅ PASSED (with warnings)' : '✅ ALL PASSED';
}

function preMark(check: PreCheckResult): string {
  if (!check.ok && !check.warning) return '❌';
  return check.warning ? '⚠️' : '✅';
}

/** "245ms p95 (< 500ms threshold)" for comparisons; other thresholds ("all passing") only show when missed. */
function postFigure(check: PostCheckResult): string {
  if (!check.threshold) return check.value;
  if (/^[<>≤≥=]/.test(check.threshold)) return `${check.value} (${check.threshold} threshold)`;
  return check.ok ? check.value : `${check.value} (expected ${check.threshold})`;
}
