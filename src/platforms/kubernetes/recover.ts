import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RecoveryResult } from '../../journal/journal.js';
import type { DeployContext } from '../../orchestrator/types.js';
import { writeJsonAtomic } from '../../state/atomic-write.js';
import { type KubeClient, resourcePath } from './api.js';
import { deleteObject, sendPatch } from './apply.js';
import { selectorPatch } from './patches.js';
import type { DeploymentPlan, Selector } from './plan.js';
import { formatSelector, sameSelector } from './state-report.js';

/** What a killed run needs to be undone: written before green is created, removed when the run ends. No secrets. */
export interface RunRecord {
  namespace: string;
  service: string;
  from: Selector;
  to: Selector;
  shared: Selector | null;
  /** What the Service was held on before green started (a first release, hold.ts). */
  held?: Selector | null;
  green: string;
  secret: string | null;
  created: Array<{ apiVersion: string; kind: string; name: string }>;
}

const FILE = 'kubernetes-run.json';

export async function recordRun(ctx: DeployContext, plan: DeploymentPlan): Promise<void> {
  const record: RunRecord = {
    namespace: plan.service.namespace,
    service: plan.service.name,
    from: plan.from,
    to: plan.to,
    shared: plan.canary?.sharedSelector ?? null,
    held: plan.hold?.selector ?? null,
    green: plan.deployment.metadata.name,
    secret: plan.secret?.metadata.name ?? null,
    created: (plan.canary?.create ?? []).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name })),
  };
  await writeJsonAtomic(join(ctx.config.stateDir, FILE), record);
  ctx.defer(() => rm(join(ctx.config.stateDir, FILE), { force: true }));
}

/**
 * A deploy was killed: if the Service points at its green (or at both releases, mid-canary), it goes back to
 * the selector it had before, guarded by a `test` op; green, its Secret and the canary Service are deleted. A
 * Service held off green's pods (a first release, hold.ts) gets its selector back after green is deleted. A
 * selector someone else changed is left alone and reported.
 */
export async function recoverRun(ctx: DeployContext, client: KubeClient): Promise<RecoveryResult> {
  const path = join(ctx.config.stateDir, FILE);
  const record = await readFile(path, 'utf8').then((t) => JSON.parse(t) as RunRecord, () => null);
  if (!record) return { active: null, stopped: [], ok: true, message: 'nothing of the interrupted run was found in the cluster record; traffic was not moved by it' };
  const svc = await client.request<{ spec?: { selector?: Selector } }>('GET', resourcePath('v1', 'Service', record.namespace, record.service));
  const current = svc.spec?.selector ?? {};
  const held = !!record.held && sameSelector(current, record.held);
  const ours = held || sameSelector(current, record.to) || (record.shared !== null && sameSelector(current, record.shared));
  if (!ours && !sameSelector(current, record.from)) {
    return { active: null, stopped: [], ok: false, message: `Service ${record.service} selects ${formatSelector(current)}, neither the interrupted run's green nor what it had before; left as it is` };
  }
  if (ours && record.created.length > 0) {
    // Mid Gateway canary the route may still send a share to the canary Service: deleting it would fail those requests.
    return { active: null, stopped: [], ok: false, message: `the interrupted run was a Gateway canary: check HTTPRoute ${ctx.config.kubernetes?.gateway?.route ?? ''} (backendRefs back to ${record.service} alone), then delete ${record.created.map((o) => o.name).join(', ')} and ${record.green}` };
  }
  const putBack = () => sendPatch(client, selectorPatch({ name: record.service, namespace: record.namespace }, current, record.from, 'recovery'));
  if (ours && !held) await putBack();
  const target = (apiVersion: string, kind: string, name: string) => ({ apiVersion, kind, metadata: { name, namespace: record.namespace } });
  await deleteObject(client, target('apps/v1', 'Deployment', record.green));
  if (record.secret) await deleteObject(client, target('v1', 'Secret', record.secret));
  for (const o of record.created) await deleteObject(client, target(o.apiVersion, o.kind, o.name));
  if (held) await putBack();
  await rm(path, { force: true });
  const state = await ctx.state.read();
  if (ours && state.active && state.active.upstream === `deployment/${record.green}`) {
    await ctx.state.update((s) => ({ ...s, active: s.previous, previous: null }));
  }
  const back = formatSelector(record.from);
  return { active: record.from.release ?? null, stopped: [record.green], ok: true, message: `${ours ? `Service ${record.service} switched back to ${back}` : `Service ${record.service} still on ${back}`}; ${record.green} deleted` };
}
