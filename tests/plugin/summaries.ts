import type { DeploySummary } from '../../src/contracts/summary.js';

/**
 * Two DeploySummary objects shaped like the CLI's --json output for the example
 * app on staging: one verified deploy and one that failed verification and was
 * rolled back. Every pre-check from the recipes bundle is present, so the
 * rendered summaries are at their largest ordinary size.
 */
const preChecks: DeploySummary['checks']['pre'] = [
  { name: 'Tests', ok: true, detail: '185/185 passing' },
  { name: 'Migrations', ok: true, detail: '3 pending, ready to apply' },
  { name: 'Env Vars', ok: true, detail: 'all 2 required set' },
  { name: 'Rollback Plan', ok: true, detail: 'generated' },
  { name: 'Git', ok: true, detail: 'clean at 9f3c2ab' },
  { name: 'Production Gate', ok: true, detail: 'not required for staging' },
  { name: 'Lock', ok: true, detail: 'acquired' },
  { name: 'Hooks', ok: true, detail: 'none configured' },
];

export const verifiedDeploy: DeploySummary = {
  status: 'success',
  environment: 'staging',
  strategy: 'blue-green',
  platform: 'local',
  url: 'http://127.0.0.1:4001',
  dryRun: false,
  release: { id: '20261127-061502-9f3c2ab', version: '1.2.3', commit: '9f3c2ab41d07e6c5b2a8e1f0d3c4b5a697887766' },
  checks: {
    pre: preChecks,
    post: [
      { name: 'Smoke Tests', ok: true, value: '8/8 passing', threshold: 'all' },
      { name: 'Error Rate', ok: true, value: '0.1%', threshold: '< 1%' },
      { name: 'Response Times', ok: true, value: '245ms p95', threshold: '< 500ms' },
      { name: 'Database', ok: true, value: 'connected', threshold: 'reachable' },
    ],
  },
  rollback: { performed: false, reason: null, command: 'deploy rollback staging --to 20261126-174233-51e0d9c' },
  durationMs: 135_000,
  exitCode: 0,
  rollbackPlanPath: '/srv/shop/.deploy/staging/rollback-plan.json',
};

export const rolledBackDeploy: DeploySummary = {
  ...verifiedDeploy,
  status: 'rolled_back',
  release: { id: '20261127-063011-c41d7e2', version: '1.2.4', commit: 'c41d7e2a9b8f7e6d5c4b3a29180706f5e4d3c2b1' },
  checks: {
    pre: preChecks,
    post: [
      { name: 'Smoke Tests', ok: true, value: '8/8 passing', threshold: 'all' },
      { name: 'Error Rate', ok: false, value: '7.8% (39/500)', threshold: '< 1%' },
      { name: 'Response Times', ok: true, value: '262ms p95', threshold: '< 500ms' },
      { name: 'Database', ok: true, value: 'connected', threshold: 'reachable' },
    ],
  },
  rollback: {
    performed: true,
    reason: 'Error Rate 7.8% over 1%',
    command: 'deploy rollback staging --to 20261127-061502-9f3c2ab',
    verified: true,
  },
  durationMs: 48_000,
  exitCode: 1,
  message: 'verification failed: Error Rate 7.8% (< 1% required); traffic is back on 20261127-061502-9f3c2ab',
  logTail: [
    'listening on :4102 release=20261127-061502-c41d7e2',
    'GET /api/items 200 12ms',
    'GET /api/items 500 3ms',
    'Error: SQLITE_ERROR: no such column: items.price_cents',
    '    at Statement.all (/srv/shop/.deploy/staging/releases/20261127-063011-c41d7e2/lib/items.js:14:22)',
    'GET / 200 4ms',
  ],
};
