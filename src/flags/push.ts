import { connectRouter } from '../router/client.js';
import type { FlagTable } from './table.js';

/**
 * Sends the table to the environment's running router, which applies it to the next request.
 * False when no router runs: the table on disk is loaded when the router starts.
 */
export async function pushFlags(stateDir: string, table: FlagTable): Promise<boolean> {
  const client = await connectRouter(stateDir, { callTimeoutMs: 5_000 }).catch(() => null);
  if (!client) return false;
  try {
    await client.call('flags.set', { table });
    return true;
  } finally {
    client.close();
  }
}
