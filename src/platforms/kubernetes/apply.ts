import { KubeApiError, type KubeClient, patchPath, resourcePath } from './api.js';
import type { KubeObject } from './manifests.js';
import type { PatchAction } from './patches.js';

/** POST; when the object exists already (a rerun of the same release), PUT it over the existing one. */
export async function createOrReplace(client: KubeClient, object: KubeObject): Promise<{ metadata?: { generation?: number } }> {
  const { apiVersion, kind, metadata } = object;
  try {
    return await client.request('POST', resourcePath(apiVersion, kind, metadata.namespace), object);
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 409) throw error;
    const path = resourcePath(apiVersion, kind, metadata.namespace, metadata.name);
    const existing = await client.request<{ metadata?: { resourceVersion?: string } }>('GET', path);
    return client.request('PUT', path, { ...object, metadata: { ...metadata, resourceVersion: existing.metadata?.resourceVersion } });
  }
}

export async function sendPatch(client: KubeClient, patch: PatchAction): Promise<void> {
  await client.request('PATCH', patchPath(patch), patch.body, patch.type);
}

/** Deletes; a missing object counts as deleted. Pods go with their Deployment (background propagation). */
export async function deleteObject(client: KubeClient, object: Pick<KubeObject, 'apiVersion' | 'kind' | 'metadata'>): Promise<void> {
  try {
    await client.request('DELETE', resourcePath(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name), { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return;
    throw error;
  }
}
