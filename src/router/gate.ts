import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../state/atomic-write.js';

/**
 * `deploy pause` and `deploy maintenance`: what the router does with new requests instead of routing them.
 * Paused, a request waits (like kamal-proxy's pause) until the router is resumed, or `failAfterMs` passes and it gets
 * 504. In maintenance every request gets 503 with a page. Saved in the state dir, so a restarted router keeps it.
 */
export type GateState = { state: 'paused'; failAfterMs: number; since: string } | { state: 'maintenance'; message: string; since: string };

export const GATE_FILE = 'router-gate.json';
export const DEFAULT_MAINTENANCE_MESSAGE = 'This site is down for maintenance. Please try again shortly.';

const gateSchema = z.union([
  z.strictObject({ state: z.literal('paused'), failAfterMs: z.number().int().min(1), since: z.string() }),
  z.strictObject({ state: z.literal('maintenance'), message: z.string(), since: z.string() }),
]);

/** What the connection layer reads on every request head: null while serving, so the check is one property read. */
export interface Gate {
  readonly paused: boolean;
  readonly failAfterMs: number;
  /** The maintenance answer, ready-made: keep-alive and `connection: close` variants. Null when paused. */
  readonly page: Buffer | null;
  readonly pageClose: Buffer | null;
}

export function gateFor(state: GateState): Gate {
  if (state.state === 'paused') return { paused: true, failAfterMs: state.failAfterMs, page: null, pageClose: null };
  return { paused: false, failAfterMs: 0, page: maintenancePage(state.message, false), pageClose: maintenancePage(state.message, true) };
}

function maintenancePage(message: string, close: boolean): Buffer {
  const body = Buffer.from(
    `<!doctype html>\n<html><head><meta charset="utf-8"><title>Down for maintenance</title></head>\n<body><h1>Down for maintenance</h1><p>${escapeHtml(message)}</p></body></html>\n`,
    'utf8',
  );
  const head = `HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: ${body.length}\r\ncache-control: no-store\r\nretry-after: 60\r\n${close ? 'connection: close\r\n' : ''}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export async function loadGate(stateDir: string): Promise<GateState | null> {
  const text = await readFile(join(stateDir, GATE_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const parsed = gateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(stateDir, GATE_FILE)}: not a pause or maintenance state`);
  return parsed.data;
}

export async function saveGate(stateDir: string, state: GateState | null): Promise<void> {
  const path = join(stateDir, GATE_FILE);
  if (state === null) await rm(path, { force: true });
  else await writeFileAtomic(path, `${JSON.stringify(state)}\n`, 0o600);
}
