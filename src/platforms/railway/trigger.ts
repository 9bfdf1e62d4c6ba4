import type { DeployContext } from '../../orchestrator/types.js';
import { buildSourceArchive } from './archive.js';
import { listDeployments } from './deployments.js';
import { imageFor } from './managed-settings.js';
import type { RailwaySession } from './session.js';
import type { RailwayTarget } from './target.js';

/**
 * Starts the Railway deployment: an upload of the working tree, or (image source) serviceInstanceDeployV2 after
 * the image was set. Returns the new deployment's id.
 */
export async function triggerDeployment(ctx: DeployContext, session: RailwaySession, target: RailwayTarget, commit: string | null, previousId: string | null): Promise<string> {
  if (session.settings.source === 'image') {
    const data = await session.api.query<{ serviceInstanceDeployV2: string }>('deployV2', { environmentId: target.environmentId, serviceId: target.serviceId, commitSha: null });
    return data.serviceInstanceDeployV2;
  }
  const archive = await buildSourceArchive(ctx.config.projectRoot);
  ctx.emit({ phase: 'upload', state: 'start', message: `uploading ${archive.files.length} files (${Math.round(archive.gzip.length / 1024)} KiB gzip) to Railway` });
  const answer = await session.api.upload(target.projectId, target.environmentId, target.serviceId, archive.gzip);
  const id = typeof answer.deploymentId === 'string' ? answer.deploymentId : null;
  if (id) return id;
  // Older answers carry only URLs: the upload's deployment is the newest one that is not the live one.
  const newest = (await listDeployments(session.api, target, 5)).find((d) => d.id !== previousId);
  if (!newest) throw new Error('Railway accepted the upload but no new deployment appeared');
  return newest.id;
}

export function imageOf(session: RailwaySession, commit: string | null): string | null {
  return session.settings.source === 'image' && session.settings.image ? imageFor(session.settings.image, commit) : null;
}
