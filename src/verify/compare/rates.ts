import type { UpstreamMetrics } from '../../contracts/metrics.js';
import { formatPercent, formatPoints } from '../format.js';
import { type Proportion, excessZ } from './proportion.js';

/** A rate compared between candidate and baseline: the 5xx share, the 4xx share, 404s, 410s. */
export interface RateMetric {
  name: string;
  /** Short label for values ("5xx", "404"). */
  label: string;
  count(m: UpstreamMetrics): number;
  margin: number;
}

/** 4xx without 499: a client that went away is not the release's fault. */
export function clientErrorCount(m: UpstreamMetrics): number {
  return m.byClass['4xx'] - (m.byStatus?.['499'] ?? 0);
}

export function rateMetrics(margins: { errorRateMargin: number; clientErrorMargin: number }, subject: UpstreamMetrics, baseline: UpstreamMetrics): RateMetric[] {
  const metrics: RateMetric[] = [
    { name: 'Error Rate', label: '5xx', count: (m) => m.byClass['5xx'], margin: margins.errorRateMargin },
    { name: 'Client Errors', label: '4xx', count: clientErrorCount, margin: margins.clientErrorMargin },
  ];
  for (const status of ['404', '410'] as const) {
    const count = (m: UpstreamMetrics) => m.byStatus?.[status] ?? 0;
    // Shown when either side answered some: a release that lost its routes, or gone resources.
    if (subject.byStatus && baseline.byStatus && count(subject) + count(baseline) > 0) {
      metrics.push({ name: `${status}s`, label: status, count, margin: margins.clientErrorMargin });
    }
  }
  return metrics;
}

export interface RateComparison {
  worse: boolean;
  z: number;
  value: string;
  threshold: string;
}

/** The candidate is worse when its rate exceeds the baseline's by more than the margin, at the given confidence. */
export function compareRate(metric: RateMetric, subject: UpstreamMetrics, baseline: UpstreamMetrics, baselineLabel: string, z: number, minHits = 0): RateComparison {
  const s: Proportion = { hits: metric.count(subject), n: subject.requests };
  const b: Proportion = { hits: metric.count(baseline), n: baseline.requests };
  const statistic = excessZ(s, b, metric.margin);
  const worse = s.hits >= minHits && statistic > z;
  const value = `${formatPercent(s.hits / s.n)} vs ${formatPercent(b.hits / b.n)} ${baselineLabel} (${metric.label}: ${s.hits}/${s.n} vs ${b.hits}/${b.n})`;
  return { worse, z: statistic, value, threshold: `<= ${baselineLabel} + ${formatPoints(metric.margin)}` };
}
