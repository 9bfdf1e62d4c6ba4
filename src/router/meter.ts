import * as hdr from 'hdr-histogram-js';
import { LATENCY_BIN_COUNT, latencyBinOf, sparseBins } from '../contracts/latency-bins.js';
import { MAX_WINDOW_MS, type UpstreamMetrics } from '../contracts/metrics.js';

/** Latencies are kept in microseconds; anything above a minute is clamped. */
const MAX_LATENCY_US = 60_000_000;
const RING_SECONDS = MAX_WINDOW_MS / 1000 + 1;

function newHistogram(): hdr.Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: MAX_LATENCY_US,
    numberOfSignificantValueDigits: 2,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** One second of traffic. Latencies land in a typed array on the hot path and are folded into the histogram lazily. */
class SecondBucket {
  requests = 0;
  c1 = 0;
  c2 = 0;
  c3 = 0;
  c4 = 0;
  c5 = 0;
  proxyErrors = 0;
  s404 = 0;
  s410 = 0;
  s499 = 0;
  pending = new Uint32Array(1024);
  pendingLength = 0;
  histogram: hdr.Histogram | null = null;
  bins: Uint32Array | null = null;

  constructor(public second: number) {}

  reset(second: number): void {
    this.second = second;
    this.requests = this.c1 = this.c2 = this.c3 = this.c4 = this.c5 = this.proxyErrors = 0;
    this.s404 = this.s410 = this.s499 = 0;
    this.pendingLength = 0;
    this.histogram?.reset();
    this.bins?.fill(0);
  }

  fold(): void {
    if (this.pendingLength === 0) return;
    const histogram = (this.histogram ??= newHistogram());
    const bins = (this.bins ??= new Uint32Array(LATENCY_BIN_COUNT));
    for (let i = 0; i < this.pendingLength; i++) {
      histogram.recordValue(this.pending[i]);
      bins[latencyBinOf(this.pending[i])]++;
    }
    this.pendingLength = 0;
  }
}

/** Counters and a latency histogram for one upstream, readable over a sliding window of whole seconds. */
export class UpstreamMeter {
  inFlight = 0;
  websockets = 0;
  private readonly ring: (SecondBucket | undefined)[] = new Array(RING_SECONDS);
  private current: SecondBucket;

  constructor(
    readonly upstream: string,
    private readonly nowMs: () => number = Date.now,
  ) {
    this.current = this.bucketFor(Math.floor(nowMs() / 1000));
  }

  record(status: number, latencyUs: number, proxyError: boolean): void {
    const second = Math.floor(this.nowMs() / 1000);
    let bucket = this.current;
    if (bucket.second !== second) {
      bucket.fold();
      bucket = this.current = this.bucketFor(second);
    }
    bucket.requests++;
    if (status < 200) bucket.c1++;
    else if (status < 300) bucket.c2++;
    else if (status < 400) bucket.c3++;
    else if (status < 500) {
      bucket.c4++;
      if (status === 404) bucket.s404++;
      else if (status === 410) bucket.s410++;
      else if (status === 499) bucket.s499++;
    } else bucket.c5++;
    if (proxyError) bucket.proxyErrors++;
    if (bucket.pendingLength === bucket.pending.length) {
      const grown = new Uint32Array(bucket.pending.length * 2);
      grown.set(bucket.pending);
      bucket.pending = grown;
    }
    bucket.pending[bucket.pendingLength++] = latencyUs < MAX_LATENCY_US ? (latencyUs < 1 ? 1 : latencyUs) : MAX_LATENCY_US;
  }

  /** Totals over the last `windowMs`, counted in whole seconds including the current one. */
  read(windowMs: number): UpstreamMetrics {
    const nowSecond = Math.floor(this.nowMs() / 1000);
    const seconds = Math.min(RING_SECONDS, Math.max(1, Math.ceil(windowMs / 1000)));
    const merged = newHistogram();
    const result: UpstreamMetrics = {
      upstream: this.upstream,
      windowMs,
      requests: 0,
      byClass: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
      proxyErrors: 0,
      inFlight: this.inFlight,
      latencyMs: { p50: 0, p95: 0, p99: 0, max: 0 },
      byStatus: { '404': 0, '410': 0, '499': 0 },
    };
    const byStatus = result.byStatus!;
    const bins = new Uint32Array(LATENCY_BIN_COUNT);
    for (let second = nowSecond - seconds + 1; second <= nowSecond; second++) {
      const bucket = this.ring[second % RING_SECONDS];
      if (!bucket || bucket.second !== second) continue;
      bucket.fold();
      result.requests += bucket.requests;
      result.byClass['1xx'] += bucket.c1;
      result.byClass['2xx'] += bucket.c2;
      result.byClass['3xx'] += bucket.c3;
      result.byClass['4xx'] += bucket.c4;
      result.byClass['5xx'] += bucket.c5;
      result.proxyErrors += bucket.proxyErrors;
      byStatus['404'] += bucket.s404;
      byStatus['410'] += bucket.s410;
      byStatus['499'] += bucket.s499;
      if (bucket.histogram) merged.add(bucket.histogram);
      if (bucket.bins) for (let i = 0; i < bins.length; i++) bins[i] += bucket.bins[i];
    }
    if (merged.totalCount > 0) {
      const ms = (us: number) => Math.round(us) / 1000;
      result.latencyMs = {
        p50: ms(merged.getValueAtPercentile(50)),
        p95: ms(merged.getValueAtPercentile(95)),
        p99: ms(merged.getValueAtPercentile(99)),
        max: ms(merged.maxValue),
      };
    }
    result.latencyBins = sparseBins(bins);
    return result;
  }

  private bucketFor(second: number): SecondBucket {
    const index = second % RING_SECONDS;
    let bucket = this.ring[index];
    if (!bucket) bucket = this.ring[index] = new SecondBucket(second);
    else if (bucket.second !== second) bucket.reset(second);
    return bucket;
  }
}
