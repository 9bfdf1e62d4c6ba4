import * as z from 'zod';
import type { ConfigProblem } from './issues.js';

/** `railway:` block (platform: railway). Owned by the Railway platform; see docs/platforms/railway.md. */
export const RailwaySchema = z
  .strictObject({
    project: z.string().min(1).optional().describe('Railway project id.'),
    service: z.string().min(1).optional().describe('Railway service id or name.'),
  })
  .describe('Railway platform settings (platform: railway).');

export type RawRailway = z.infer<typeof RailwaySchema>;

export interface RailwaySettings {
  project: string | null;
  service: string | null;
}

export function resolveRailway(raw: RawRailway | undefined): RailwaySettings | null {
  if (!raw) return null;
  return { project: raw.project ?? null, service: raw.service ?? null };
}

/** Cross-field rules for one environment with platform: railway (`at` builds the failing path). */
export function railwayProblems(_raw: RawRailway | undefined, _at: (key: string) => string): ConfigProblem[] {
  return [];
}
