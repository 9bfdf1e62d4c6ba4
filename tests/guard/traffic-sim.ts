import { UpstreamMeter } from '../../src/router/meter.js';
import { seeded } from '../helpers/seeded.js';

export interface Behaviour {
  rps: number;
  errorRate: number;
  latencyMs: number;
}

/**
 * Steady synthetic load recorded into the router's real UpstreamMeter at
 * virtual times: the guard reads the same sliding-window figures it reads in
 * production. Behaviour can change at a given time (the "knob").
 */
export class TrafficSim {
  private t: number;
  private readonly random: () => number;
  readonly meter: UpstreamMeter;
  private readonly phases: Array<{ from: number; behaviour: Behaviour }> = [];
  recorded = 0;

  constructor(start: number, behaviour: Behaviour, seed = 42) {
    this.t = start;
    this.random = seeded(seed);
    this.meter = new UpstreamMeter('green', () => this.t);
    this.phases.push({ from: start, behaviour });
  }

  /** From `at` on, the release behaves like this. */
  change(at: number, behaviour: Behaviour): void {
    this.phases.push({ from: at, behaviour });
    this.phases.sort((a, b) => a.from - b.from);
  }

  private behaviourAt(t: number): Behaviour {
    let current = this.phases[0].behaviour;
    for (const phase of this.phases) if (phase.from <= t) current = phase.behaviour;
    return current;
  }

  /** Records every request that arrived up to `now`. */
  advanceTo(now: number): void {
    while (true) {
      const b = this.behaviourAt(this.t);
      if (b.rps <= 0) {
        const next = this.phases.find((p) => p.from > this.t);
        if (!next || next.from > now) {
          this.t = now;
          return;
        }
        this.t = next.from;
        continue;
      }
      const next = this.t + 1000 / b.rps;
      if (next > now) return;
      this.t = next;
      const failed = this.random() < b.errorRate;
      const jitter = 0.8 + this.random() * 0.4;
      this.meter.record(failed ? 500 : 200, Math.round(b.latencyMs * jitter * 1000), false);
      this.recorded += 1;
    }
  }

  reader(now: () => number) {
    return (windowMs: number) => {
      this.advanceTo(now());
      return this.meter.read(windowMs);
    };
  }
}
