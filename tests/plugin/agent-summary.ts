import type { DeploySummary, PostCheckResult } from '../../src/contracts/summary.js';

/**
 * The summary format agents/deployment-orchestrator.md tells the agent to return
 * (the seed's Output block), filled in from a DeploySummary. The tests measure
 * what the parent conversation receives with it.
 */
export function renderAgentSummary(s: DeploySummary): string {
  const failed = s.status !== 'success';
  const pre = s.checks.pre;
  const post = s.checks.post;
  const preFailed = pre.filter((c) => !c.ok).length;
  const postFailed = post.filter((c) => !c.ok).length;
  const lines: string[] = [];

  lines.push(`Deployment Status: ${STATUS[s.status]}${s.dryRun ? ' (dry run)' : ''}`, '');
  lines.push(`Environment: ${s.environment}`, `Strategy: ${s.strategy}`, `URL: ${s.url}`, '');

  lines.push(`Pre-Deployment Checks: ${preFailed === 0 ? '✅ ALL PASSED' : `❌ ${preFailed} FAILED`}`);
  // Failed and warning checks first, then passed ones, four lines at most unless more failed.
  const notable = pre.filter((c) => !c.ok || c.warning);
  const shown = [...notable, ...pre.filter((c) => c.ok && !c.warning)].slice(0, Math.max(4, notable.length));
  for (const c of shown) lines.push(`  ${c.ok ? (c.warning ? '⚠️' : '✅') : '❌'} ${c.name}: ${c.detail}`);
  lines.push('');

  if (s.dryRun && s.plan) {
    lines.push('Plan:', ...s.plan.steps.map((step: string, i: number) => `  ${i + 1}. ${step}`), '', rollbackPlan(s));
    return lines.join('\n');
  }

  const started = s.status === 'success' || s.status === 'rolled_back';
  lines.push(`Deployment: ${s.status === 'success' ? '✅ COMPLETE' : started ? '↩️ ROLLED BACK' : '⏭️ NOT STARTED'}`);
  lines.push(`  Duration: ${duration(s.durationMs)}`, `  Version: ${s.release.version}`);
  if (s.release.commit) lines.push(`  Commit: ${s.release.commit.slice(0, 7)}`);
  lines.push('');

  if (post.length > 0) {
    lines.push(`Post-Deployment Verification: ${postFailed === 0 ? '✅ ALL PASSED' : `❌ ${postFailed} FAILED`}`);
    for (const c of post) lines.push(`  ${c.ok ? '✅' : '❌'} ${c.name}: ${postFigure(c)}`);
    lines.push('');
  }

  if (failed) {
    const check = [...pre, ...post].find((c) => !c.ok);
    const what = check ? `${check.name} ${'value' in check ? check.value : check.detail}` : (s.message ?? 'see exit code');
    const logLine = [...(s.logTail ?? [])].reverse().find((l) => /error|fail|refused|exception/i.test(l));
    lines.push(`Cause: ${logLine?.trim() ?? what}`);
    if (s.exitCode === 4) lines.push('Rollback: FAILED, state uncertain, a human must check');
    else if (s.rollback.performed)
      return [...lines, `Rollback: traffic back on the previous release${s.rollback.verified ? ', verified' : ''}`].join('\n');
  }

  lines.push(rollbackPlan(s));
  return lines.join('\n');
}

const STATUS: Record<DeploySummary['status'], string> = {
  success: '✅ SUCCESS',
  rolled_back: '↩️ ROLLED BACK',
  failed: '❌ FAILED',
  blocked: '⛔ BLOCKED',
};

function duration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const m = Math.floor(seconds / 60);
  return m > 0 ? `${m}m ${seconds % 60}s` : `${seconds}s`;
}

/** "245ms p95 (< 500ms threshold)" for comparisons; other thresholds ("all") only when missed. */
function postFigure(c: PostCheckResult): string {
  if (/^[<>≤≥]/.test(c.threshold)) return `${c.value} (${c.threshold} threshold)`;
  return c.ok || !c.threshold ? c.value : `${c.value} (expected ${c.threshold})`;
}

function rollbackPlan(s: DeploySummary): string {
  return s.rollback.command ? `Rollback Plan: Available (manual: ${s.rollback.command})` : 'Rollback Plan: none (no earlier release)';
}
