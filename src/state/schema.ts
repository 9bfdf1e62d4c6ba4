import * as z from 'zod';

/** A release the environment knows about; its directory (local platform) lives under releases/<id>. */
export const ReleaseRecordSchema = z.object({
  id: z.string().min(1),
  version: z.string(),
  commit: z.string().nullable(),
  contentHash: z.string().nullable(),
  createdAt: z.string(),
});

/** Where traffic goes (active) or could go back to (previous). `upstream` is e.g. "127.0.0.1:41234". */
export const SlotSchema = z.object({
  release: z.string().min(1),
  upstream: z.string().nullable(),
  since: z.string(),
  /** Whether the process still runs (a warm previous release makes rollback instant). */
  running: z.boolean().default(true),
});

export const EnvironmentStateSchema = z.object({
  schemaVersion: z.literal(1),
  environment: z.string(),
  url: z.string().nullable(),
  active: SlotSchema.nullable(),
  previous: SlotSchema.nullable(),
  releases: z.array(ReleaseRecordSchema),
  updatedAt: z.string(),
});

export type ReleaseRecord = z.infer<typeof ReleaseRecordSchema>;
export type Slot = z.infer<typeof SlotSchema>;
export type EnvironmentState = z.infer<typeof EnvironmentStateSchema>;

export function emptyState(environment: string, url: string | null = null): EnvironmentState {
  return { schemaVersion: 1, environment, url, active: null, previous: null, releases: [], updatedAt: new Date(0).toISOString() };
}
