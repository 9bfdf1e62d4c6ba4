import type { RailwayApi } from './api.js';
import type { RailwayTarget } from './target.js';

interface ByStatus {
  httpMetricsGroupedByStatus: Array<{ statusCode: number; samples: Array<{ ts: number; value: number }> }>;
}

/**
 * Railway's own HTTP metrics for the service over a window, as a 5xx share. Null when Railway has no samples
 * for it (metrics arrive with a delay; short windows often have none): the probe figures then stand alone.
 */
export async function railwayHttpErrorRate(api: RailwayApi, target: RailwayTarget, start: Date, end: Date): Promise<{ rate: number; requests: number } | null> {
  const data = await api.query<ByStatus>('httpMetrics', {
    serviceId: target.serviceId,
    environmentId: target.environmentId,
    startDate: start.toISOString(),
    endDate: end.toISOString(),
    stepSeconds: 60,
  });
  return errorShare(data.httpMetricsGroupedByStatus);
}

export function errorShare(groups: ByStatus['httpMetricsGroupedByStatus']): { rate: number; requests: number } | null {
  let total = 0;
  let errors = 0;
  for (const group of groups) {
    const count = group.samples.reduce((sum, s) => sum + s.value, 0);
    total += count;
    if (group.statusCode >= 500) errors += count;
  }
  return total > 0 ? { rate: errors / total, requests: Math.round(total) } : null;
}
