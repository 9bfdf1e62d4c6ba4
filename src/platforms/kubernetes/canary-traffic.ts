import type { DeployContext } from '../../orchestrator/types.js';
import { TrafficError } from '../../rollout/traffic-error.js';
import type { KubeClient } from './api.js';
import { createOrReplace, deleteObject, sendPatch } from './apply.js';
import type { CanaryPlan } from './canary-plan.js';
import type { DeploymentPlan } from './plan.js';
import { releaseLabels } from './manifests.js';
import { waitDeploymentReady } from './wait-ready.js';

/**
 * The canary's share of the traffic on the cluster (Gateway API weights or replica ratios, as planned in
 * canary-plan.ts): the patches of each step, what puts traffic back on blue alone, and what surrounds the final
 * selector switch. It remembers the last step it applied; the engine decides when each happens.
 */
export class CanaryTraffic {
  /** The last step whose patches were sent (-1: traffic not split yet). */
  private applied = -1;
  private created = false;

  constructor(
    private readonly ctx: DeployContext,
    private readonly client: KubeClient,
    private readonly plan: DeploymentPlan,
    readonly canary: CanaryPlan,
  ) {}

  get split(): boolean {
    return this.applied >= 0;
  }

  /** Step `percent` (one of the plan's, below 100): its patches, then, for replica ratios, green ready at its new size. */
  async step(percent: number): Promise<void> {
    const { canary, client, ctx } = this;
    const i = canary.percents.indexOf(percent);
    if (i < 0) throw new Error(`the canary plan has no ${percent}% step (planned: ${canary.percents.join(', ')})`);
    try {
      if (!this.created) for (const object of canary.create) await createOrReplace(client, object);
      this.created = true;
      for (const patch of canary.steps[i]!) await sendPatch(client, patch);
    } catch (error) {
      const name = canary.kind === 'gateway' ? 'HTTPRoute weights' : 'replica ratio';
      throw new TrafficError('unknown', (error as Error).message, { name, ok: false, value: (error as Error).message, threshold: `set to ${percent}%` }, `${name} not set`);
    }
    this.applied = i;
    ctx.emit({ phase: 'canary', state: 'start', message: `canary step ${i + 1}: ${canary.notes[i]}` });
    if (canary.kind !== 'replicas') return;
    // Green changed size: wait until the controller settled, so the pods we probe are ones that stay.
    const ready = await this.greenReady();
    if (!ready.ok) throw new TrafficError('unknown', ready.detail, { name: 'Health', ok: false, value: ready.detail, threshold: 'green ready at this size' }, 'green not ready at this size');
  }

  /** Replica ratios: green back to full size and ready before the Service moves to it; if it cannot, traffic goes back to blue. */
  async beforeSwitch(): Promise<void> {
    const { canary, ctx } = this;
    if (!this.split || canary.beforeSwitch.length === 0) return;
    let detail: string;
    try {
      for (const patch of canary.beforeSwitch) await sendPatch(this.client, patch);
      const ready = await this.greenReady();
      if (ready.ok) return;
      detail = `green at full size: ${ready.detail}`;
    } catch (error) {
      detail = `green not scaled up: ${(error as Error).message}`;
    }
    const restored = await this.restore();
    throw new TrafficError('unchanged', `Health ${detail}; ${restored}`, { name: 'Health', ok: false, value: detail, threshold: `ready within ${ctx.config.health.timeoutMs} ms` }, detail);
  }

  /** After the Service moved to green: the route back to the Service alone (Gateway), the canary's objects removed. */
  async afterSwitch(): Promise<void> {
    const { canary, ctx } = this;
    try {
      if (this.split) for (const patch of canary.afterSwitch(this.applied)) await sendPatch(this.client, patch);
      this.applied = -1;
      await this.cleanup();
      if (canary.kind === 'gateway') ctx.emit({ phase: 'canary', state: 'ok', message: 'HTTPRoute back to the Service alone (now green)' });
    } catch (error) {
      // The route still splits between two Services that both select green now: harmless, but say so.
      ctx.emit({ phase: 'canary', state: 'warn', message: `the HTTPRoute could not be restored (${(error as Error).message}); it still lists the canary Service` });
    }
  }

  /** Traffic back to blue alone from where the last step left it; says how. Throws when the route could not be restored. */
  async restore(): Promise<string> {
    const { canary } = this;
    const what = canary.kind === 'gateway' ? 'the HTTPRoute back to the Service alone' : 'the Service back to blue alone';
    try {
      for (const patch of canary.restore(this.applied)) await sendPatch(this.client, patch);
    } catch (error) {
      // A route that still sends a share to green must keep green running: the engine leaves it to a human.
      throw new Error(`${what} FAILED (${(error as Error).message}): green still gets the share of step ${this.applied + 1}`);
    }
    const said = this.split ? what : 'traffic was not split yet';
    this.applied = -1;
    await this.cleanup();
    return said;
  }

  async cleanup(): Promise<void> {
    if (!this.created) return;
    for (const object of this.canary.create) await deleteObject(this.client, object).catch((e: unknown) => this.ctx.log(`could not delete ${object.metadata.name}: ${String(e)}`));
    this.created = false;
  }

  private greenReady() {
    const { ctx, plan } = this;
    return waitDeploymentReady(this.client, plan.release.settings.namespace, plan.deployment.metadata.name, releaseLabels(plan.release), { deadlineMs: ctx.config.health.timeoutMs, intervalMs: ctx.config.health.intervalMs, clock: ctx.clock, signal: ctx.signal });
  }
}
