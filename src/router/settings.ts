import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../state/atomic-write.js';
import type { RouterLimits } from './limits.js';
import type { TlsSettings } from './tls/tls-listener.js';

/** What the config's `router:` section sets in the running router; pushed with `router.configure`. */
export interface RouterSettings {
  limits: Partial<RouterLimits>;
  trustedProxies: string[];
  trustUserHeader: boolean;
  /** The access log in the state dir: on (the default, undefined) with its rotation, or false. */
  accessLog?: false | { maxBytes?: number; keep?: number };
  /** HTTPS on its own port, certificates from files; plain HTTP only when absent. */
  tls?: TlsSettings;
}

export const SETTINGS_FILE = 'router-settings.json';

/** An address or CIDR range, IPv4 or IPv6. */
export function isAddressOrRange(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return /^\d+$/.test(bits) && n <= (family === 4 ? 32 : 128);
}

/** A DNS name an ACME server can validate over HTTP-01: no wildcard, no port, no address. */
export const HOST_NAME = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

const count = z.number().int().min(1).max(1_000_000);
const ms = z.number().int().min(1).max(24 * 3_600_000);

export const routerSettingsSchema = z.strictObject({
  limits: z
    .strictObject({
      maxHeaderLines: count,
      maxHeaderBytes: z.number().int().min(1024).max(1024 * 1024),
      maxBodyBytes: z.number().int().min(0),
      headTimeoutMs: ms,
      keepAliveTimeoutMs: ms,
      bodyIdleTimeoutMs: ms,
      sendIdleTimeoutMs: ms,
      responseTimeoutMs: ms,
      tunnelIdleTimeoutMs: ms,
      maxConnectionsPerClient: count,
      maxConnections: count,
    })
    .partial(),
  trustedProxies: z.array(z.string().refine(isAddressOrRange, 'expected an IP address or CIDR range')),
  trustUserHeader: z.boolean(),
  accessLog: z
    .union([z.literal(false), z.strictObject({ maxBytes: z.number().int().min(1024).optional(), keep: z.number().int().min(0).max(100).optional() })])
    .optional(),
  tls: z
    .strictObject({
      port: z.number().int().min(0).max(65535),
      certificates: z.array(z.strictObject({ hosts: z.array(z.string().min(1)).min(1), cert: z.string().min(1), key: z.string().min(1) })),
      acme: z
        .strictObject({
          directory: z.string().url(),
          email: z.string().min(1).optional(),
          ca: z.string().min(1).optional(),
          hosts: z.array(z.string().regex(HOST_NAME, 'expected a host name like shop.example.com')).min(1),
          renewBeforeMs: z.number().int().min(1).optional(),
          challenge: z.enum(['http-01', 'tls-alpn-01']).optional(),
        })
        .optional(),
      redirect: z.boolean(),
      hstsSeconds: z.number().int().min(0),
    })
    .refine((tls) => tls.certificates.length > 0 || tls.acme !== undefined, 'expected certificates, acme, or both')
    .optional(),
});

/** The settings saved by the last `router.configure`, so a restarted router applies them before its first request. */
export async function loadSettings(stateDir: string): Promise<RouterSettings | null> {
  const text = await readFile(join(stateDir, SETTINGS_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (text === null) return null;
  const parsed = routerSettingsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(stateDir, SETTINGS_FILE)}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export async function saveSettings(stateDir: string, settings: RouterSettings): Promise<void> {
  await writeFileAtomic(join(stateDir, SETTINGS_FILE), `${JSON.stringify(settings, null, 2)}\n`, 0o600);
}
