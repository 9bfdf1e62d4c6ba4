import type { ResolvedEnvironment } from '../config/types.js';
import { formatDuration } from '../config/duration.js';
import { smokeList, step, trafficSteps, verifyText, type PlanStep } from './steps.js';

/** What a run's steps depend on besides the config. */
export interface StepInput {
  /** rollback --to */
  to: string | null;
  /** The ref deployed (HEAD when null). */
  ref: string | null;
  /** The release serving now; a canary without one deploys blue-green (there is nothing to compare with). */
  current: string | null;
}

export interface RouterPlanOptions {
  /** How green is started, e.g. "`node server.js` on a free port" or "a container (port 3000)". */
  start: string;
  /** The image step of a container platform. */
  image?: string;
}

/** The steps the engine runs on a platform with our router in front (local, docker); src/rollout/engine.ts executes them. */
export function routerPlanSteps(config: ResolvedEnvironment, kind: 'deploy' | 'rollback', input: StepInput, options: RouterPlanOptions): PlanStep[] {
  const health = `wait for ${config.health.path} (${formatDuration(config.health.timeoutMs)})`;
  if (kind === 'rollback') {
    const target = input.to ?? 'the previous release';
    return [step('start', `start ${target} if it is not warm; ${health}; smoke it directly`), step('switch', `switch ${config.url} to ${target}`), step('verify', 'verify health and smoke')];
  }
  const steps: PlanStep[] = [step('release', `release: ${input.ref ?? 'HEAD'} with its own dependencies and the persisted paths`)];
  if (config.build) steps.push(step('build', `build: \`${config.build}\``));
  if (options.image) steps.push(step('image', options.image));
  if (config.migrations.mode !== 'none') steps.push(step('migrate', `apply pending migrations${config.migrations.tool ? ` (${config.migrations.tool})` : ''} from the release`));
  steps.push(step('start', `start green: ${options.start}; ${health}`));
  steps.push(step('smoke', `smoke green directly: ${smokeList(config)}`));
  const canary = config.strategy === 'canary' && input.current !== null;
  if (canary) {
    steps.push(...trafficSteps(config, config.url, false));
  } else {
    steps.push(step('switch', `switch ${config.url} from blue to green${config.strategy === 'canary' ? ' (no stable release to compare a canary with)' : ''}`));
    steps.push(step('verify', verifyText(config, '')));
  }
  steps.push(step('retire', `keep blue warm ${formatDuration(config.keepWarmMs)}, then drain and stop it`));
  steps.push(step('switch-back', 'on failure: switch back to blue (still warm) and verify it', true));
  return steps;
}
