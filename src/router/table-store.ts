import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from '../state/atomic-write.js';
import { InternalError } from '../errors.js';
import { emptyTable, type RoutingTable } from './types.js';

export const TABLE_FILE = 'router-table.json';

const upstreamSchema = z.object({ id: z.string().min(1), url: z.string().url() });
const tableSchema = z.object({
  version: z.number().int().nonnegative(),
  active: upstreamSchema.nullable(),
  canary: z.object({ upstream: upstreamSchema, percent: z.number().min(0).max(100), sticky: z.boolean() }).nullable(),
  updatedAt: z.string(),
});

export function tablePath(stateDir: string): string {
  return join(stateDir, TABLE_FILE);
}

/** Reads the saved routing table; a missing file means a fresh router. A corrupt file is an error, never silently empty. */
export async function loadTable(stateDir: string): Promise<RoutingTable> {
  let text: string;
  try {
    text = await readFile(tablePath(stateDir), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyTable();
    throw error;
  }
  const parsed = tableSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InternalError(`${tablePath(stateDir)}: not a routing table (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

export async function saveTable(stateDir: string, table: RoutingTable): Promise<void> {
  await writeJsonAtomic(tablePath(stateDir), table, 0o600);
}
