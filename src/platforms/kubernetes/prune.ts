import type { DeployContext } from '../../orchestrator/types.js';
import { resourcePath } from './api.js';
import { deleteObject } from './apply.js';
import type { KubeClient } from './api.js';
import { LABELS, appLabel, secretName } from './names.js';

/**
 * After a verified deploy: our Deployments beyond `releases.keep` (oldest first, never the live one or blue) are
 * deleted with their Secrets. Release ids sort by time. Failures are logged, never fail the deploy.
 */
export async function pruneReleases(ctx: DeployContext, client: KubeClient, protect: string[]): Promise<string[]> {
  const { namespace } = ctx.config.kubernetes!;
  const selector = encodeURIComponent(`${LABELS.app}=${appLabel(ctx.config.app)},app.kubernetes.io/managed-by=shipgate`);
  const list = await client.request<{ items?: Array<{ metadata: { name: string; labels?: Record<string, string> } }> }>('GET', `${resourcePath('apps/v1', 'Deployment', namespace)}?labelSelector=${selector}`);
  const releases = (list.items ?? []).map((d) => ({ name: d.metadata.name, release: d.metadata.labels?.[LABELS.release] ?? '' })).filter((d) => d.release);
  releases.sort((a, b) => b.release.localeCompare(a.release));
  const keep = Math.max(1, ctx.config.releases.keep);
  const doomed = releases.slice(keep).filter((d) => !protect.includes(d.release));
  for (const d of doomed) {
    await deleteObject(client, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: d.name, namespace } });
    await deleteObject(client, { apiVersion: 'v1', kind: 'Secret', metadata: { name: secretName(ctx.config.app, d.release), namespace } });
  }
  return doomed.map((d) => d.release);
}
