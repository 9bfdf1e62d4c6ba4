import type { RailwayApi } from './api.js';
import type { RailwayTarget } from './target.js';

/** The service's settings in one Railway environment, as far as the deploy cares. */
export interface ServiceInstance {
  id: string;
  serviceName: string;
  healthcheckPath: string | null;
  healthcheckTimeout: number | null;
  overlapSeconds: number | null;
  drainingSeconds: number | null;
  source: { image: string | null } | null;
  domains: { serviceDomains: Array<{ domain: string }>; customDomains: Array<{ domain: string }> };
}

export async function readServiceInstance(api: RailwayApi, target: RailwayTarget): Promise<ServiceInstance> {
  const data = await api.query<{ serviceInstance: ServiceInstance }>('serviceInstance', { environmentId: target.environmentId, serviceId: target.serviceId });
  return data.serviceInstance;
}

/** The public URL: the config's `url` when set, else the first custom domain, else the railway.app domain. */
export function publicUrl(configured: string, instance: ServiceInstance | null): string | null {
  if (configured) return configured;
  const domain = instance?.domains.customDomains[0]?.domain ?? instance?.domains.serviceDomains[0]?.domain;
  return domain ? `https://${domain}` : null;
}
