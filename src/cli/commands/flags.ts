import { join } from 'node:path';
import { resolveEnvironment } from '../../config/resolve.js';
import { parseDuration } from '../../config/duration.js';
import { ExitCode, UserError } from '../../errors.js';
import type { CliOptions } from '../options.js';

export interface FlagsOptions extends CliOptions {
  percent?: string;
  steps?: string;
  interval?: string;
  minRequests?: string;
  userHeader?: string;
}

const ACTIONS = ['list', 'set', 'enable', 'disable', 'rollout', 'audit'] as const;

/** `deploy flags <env> list|set <flag> --percent N|enable <flag>|disable <flag>|rollout <flag> --steps 10,50,100|audit` */
export async function flagsCommand(options: FlagsOptions, environment = '', action = '', flag?: string): Promise<number> {
  if (!(ACTIONS as readonly string[]).includes(action)) throw new UserError(`flags: unknown action "${action}" (expected ${ACTIONS.join(', ')})`, ExitCode.usage);
  const config = await resolveEnvironment(process.cwd(), environment, { configPath: options.config });
  const { FlagStore, assertFlagName } = await import('../../flags/store.js');
  const { pushFlags } = await import('../../flags/push.js');
  const store = new FlagStore(config.stateDir);
  const out = (human: string, json: unknown) => process.stdout.write(options.json ? JSON.stringify(json) + '\n' : human + '\n');

  if (action === 'list') {
    const table = await store.read();
    const rows = Object.entries(table.flags).map(([name, s]) => `${name.padEnd(24)} ${s.enabled ? 'on ' : 'off'} ${String(s.percent).padStart(3)}%  ${s.updatedAt}`);
    out(rows.length ? rows.join('\n') : `no flags in ${environment}`, table);
    return 0;
  }
  if (action === 'audit') {
    const records = await store.audit();
    out(records.map((r) => `${r.at} ${r.flag} ${r.action} ${r.from ? `${r.from.enabled ? 'on' : 'off'} ${r.from.percent}%` : 'new'} -> ${r.to.enabled ? 'on' : 'off'} ${r.to.percent}%${r.reason ? ` (${r.reason})` : ''}`).join('\n') || 'no flag changes', records);
    return 0;
  }
  if (!flag) throw new UserError(`flags ${action}: name the flag, e.g. deploy flags ${environment} ${action} new-checkout`, ExitCode.usage);
  assertFlagName(flag);
  if (options.userHeader !== undefined) await store.setUserHeader(options.userHeader.toLowerCase() || null);

  if (action === 'rollout') return rollout(options, config, store, flag, out);
  const current = (await store.read()).flags[flag];
  let to: { enabled: boolean; percent: number };
  if (action === 'set') {
    const percent = Number(options.percent);
    if (options.percent === undefined || !Number.isFinite(percent) || percent < 0 || percent > 100) throw new UserError('--percent: expected a number from 0 to 100', ExitCode.usage);
    to = { enabled: true, percent };
  } else if (action === 'enable') {
    to = { enabled: true, percent: current && current.percent > 0 ? current.percent : 100 };
  } else {
    to = { enabled: false, percent: current?.percent ?? 0 };
  }
  const table = await store.change(flag, action as 'set' | 'enable' | 'disable', to, options.reason);
  const pushed = await pushFlags(config.stateDir, table);
  out(`${flag}: ${to.enabled ? `on for ${to.percent}%` : 'off'}${pushed ? ' (router updated)' : ' (no router running; applied when it starts)'}`, { flag, ...to, pushed });
  return 0;
}

async function rollout(
  options: FlagsOptions,
  config: Awaited<ReturnType<typeof resolveEnvironment>>,
  store: import('../../flags/store.js').FlagStore,
  flag: string,
  out: (human: string, json: unknown) => void,
): Promise<number> {
  const steps = (options.steps ?? '10,50,100').split(',').map((s) => Number(s.trim()));
  if (steps.some((p, i) => !Number.isFinite(p) || p <= 0 || p > 100 || (i > 0 && p <= steps[i - 1]))) {
    throw new UserError('--steps: expected increasing percentages from 1 to 100, e.g. 10,50,100', ExitCode.usage);
  }
  const intervalMs = options.interval === undefined ? config.canary.intervalMs : parseDuration(options.interval);
  if (intervalMs === null) throw new UserError('--interval: expected a duration like "30s"', ExitCode.usage);
  const minRequests = options.minRequests === undefined ? config.verify.minRequests : Number(options.minRequests);
  if (!Number.isInteger(minRequests) || minRequests < 1) throw new UserError('--min-requests: expected a whole number >= 1', ExitCode.usage);
  if (config.port === null) throw new UserError(`environments.${config.environment}.port: required to roll a flag out (probe traffic goes through the router)`, ExitCode.usage);
  const { rolloutFlag, flagLabels } = await import('../../flags/rollout.js');
  // One rollout at a time per environment: two at once would share the unflagged cohort and confound both analyses.
  const { acquireLock } = await import('../../lock/lock.js');
  const lockDir = join(config.stateDir, 'flag-rollout');
  const lock = await acquireLock({
    stateDir: lockDir,
    environment: config.environment,
    label: { name: `flag rollout lock for ${config.environment}`, unlockHint: `wait for that rollout to finish, or remove ${join(lockDir, 'lock')} if it is stale` },
  });
  try {
    return await rolloutLocked(options, config, store, flag, out, { steps, intervalMs, minRequests, rolloutFlag, flagLabels });
  } finally {
    await lock.release();
  }
}

async function rolloutLocked(
  options: FlagsOptions,
  config: Awaited<ReturnType<typeof resolveEnvironment>>,
  store: import('../../flags/store.js').FlagStore,
  flag: string,
  out: (human: string, json: unknown) => void,
  input: { steps: number[]; intervalMs: number; minRequests: number } & Pick<typeof import('../../flags/rollout.js'), 'rolloutFlag' | 'flagLabels'>,
): Promise<number> {
  const { steps, intervalMs, minRequests, rolloutFlag, flagLabels } = input;
  const { describeStep } = await import('../../strategies/step-gate.js');
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const log = (line: string) => {
    if (!options.json) process.stderr.write(line + '\n');
  };
  const result = await rolloutFlag({
    store,
    flag,
    steps,
    intervalMs,
    thresholds: { errorRate: config.verify.errorRate, p95Ms: config.verify.p95Ms, minRequests },
    publicUrl: `http://127.0.0.1:${config.port}`,
    probePaths: config.verify.smoke.filter((s) => s.method === 'GET').map((s) => s.path),
    signal: controller.signal,
    onStart: (percent) => log(`${flag}: ${percent}% of users`),
    onStep: (step) => log(`  ${describeStep(step, flagLabels)}`),
  });
  out(
    result.ok ? `${flag}: rolled out to ${steps.at(-1)}%` : `${flag}: turned off (${result.reason})`,
    { flag, status: result.ok ? 'success' : 'rolled_back', exitCode: result.ok ? 0 : ExitCode.rolledBack, reason: result.reason, steps: result.steps },
  );
  return result.ok ? 0 : ExitCode.rolledBack;
}
