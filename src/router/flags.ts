import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { UpstreamMetrics } from '../contracts/metrics.js';
import { FLAGS_COOKIE, FLAGS_FILE, FLAG_NAME, emptyFlagTable, isOn, type FlagTable } from '../flags/table.js';
import type { ControlRegistry } from './control-registry.js';
import { UpstreamMeter } from './meter.js';
import { readCookie, stickyBucket } from './sticky.js';
import { CookieSigner } from './cookie-signer.js';

/** What the proxy adds to one request for the flags: the header value, the cohort meters, maybe a cookie. */
export interface FlagDecision {
  header: string;
  meters: UpstreamMeter[];
  setCookie?: string;
}

/** Meter ids of a flag's two cohorts, as `router.metrics` and `flags.metrics` read them. */
export function cohortMeterId(flag: string, flagged: boolean): string {
  return `flag:${flag}:${flagged ? 'on' : 'off'}`;
}

/**
 * Flag evaluation in the proxy path. The table is swapped in memory, so a change applies to the next request.
 * Assignment is sticky per client (user header or cookie) and independent per flag (the flag name is hashed in).
 */
export class FlagEvaluator {
  private table: FlagTable = emptyFlagTable();
  private names: string[] = [];
  private readonly meters = new Map<string, UpstreamMeter>();

  /** `signer` signs the cohort cookie; the router gives it the environment's secret. */
  constructor(public signer: CookieSigner = new CookieSigner()) {}

  current(): FlagTable {
    return this.table;
  }

  set(table: FlagTable): FlagTable {
    this.table = table;
    this.names = Object.keys(table.flags).sort();
    return table;
  }

  async load(stateDir: string): Promise<void> {
    const text = await readFile(join(stateDir, FLAGS_FILE), 'utf8').catch(() => null);
    if (text === null) return;
    const parsed = flagTableSchema.safeParse(JSON.parse(text));
    if (parsed.success) this.set(parsed.data);
  }

  /** The header that names a user, when the table has one: the proxy picks it out of each request head. */
  get userHeader(): string | null {
    return this.table.userHeader || null;
  }

  /** Null when no flag is defined: the request goes through untouched. */
  decide(req: IncomingMessage): FlagDecision | null {
    if (this.names.length === 0) return null;
    const userHeader = this.table.userHeader;
    const value = userHeader ? req.headers[userHeader] : undefined;
    return this.decideFor(Array.isArray(value) ? value[0] : value, req.headers.cookie);
  }

  /** `decide` from the two inputs it reads: the user header's value and the Cookie header. */
  decideFor(user: string | undefined, cookieHeader: string | undefined): FlagDecision | null {
    if (this.names.length === 0) return null;
    let key = user;
    let setCookie: string | undefined;
    if (!key) {
      // An unsigned or forged cookie counts as none: the client gets a new key, not the cohort it asked for.
      key = this.signer.verify(readCookie(cookieHeader, FLAGS_COOKIE));
      if (!key) {
        key = randomBytes(9).toString('base64url');
        setCookie = `${FLAGS_COOKIE}=${this.signer.sign(key)}; Path=/; HttpOnly; SameSite=Lax`;
      }
    }
    const on: string[] = [];
    const meters: UpstreamMeter[] = [];
    for (const name of this.names) {
      const state = this.table.flags[name];
      const flagged = isOn(state, stickyBucket(`${name}:${key}`));
      if (flagged) on.push(name);
      meters.push(this.meterFor(cohortMeterId(name, flagged)));
    }
    return { header: on.join(','), meters, setCookie };
  }

  metrics(flag: string, windowMs: number): { flagged: UpstreamMetrics; unflagged: UpstreamMetrics } {
    return {
      flagged: this.meterFor(cohortMeterId(flag, true)).read(windowMs),
      unflagged: this.meterFor(cohortMeterId(flag, false)).read(windowMs),
    };
  }

  private meterFor(id: string): UpstreamMeter {
    let meter = this.meters.get(id);
    if (!meter) this.meters.set(id, (meter = new UpstreamMeter(id)));
    return meter;
  }
}

export const flagTableSchema = z.strictObject({
  version: z.number().int().min(0),
  userHeader: z.string().regex(/^[a-z0-9-]+$/).nullable(),
  flags: z.record(
    z.string().regex(FLAG_NAME),
    z.strictObject({ enabled: z.boolean(), percent: z.number().min(0).max(100), updatedAt: z.string() }),
  ),
});

/** `flags.set` (push a whole table), `flags.get`, `flags.metrics` (the two cohorts of one flag over a window). */
export function registerFlagMethods(registry: ControlRegistry, flags: FlagEvaluator): void {
  registry.register('flags.set', z.strictObject({ table: flagTableSchema }), (params) => flags.set(params.table));
  registry.register('flags.get', z.strictObject({}), () => flags.current());
  registry.register('flags.metrics', z.strictObject({ flag: z.string().regex(FLAG_NAME), windowMs: z.number().int().min(1).max(15 * 60_000) }), (params) =>
    flags.metrics(params.flag, params.windowMs),
  );
}
