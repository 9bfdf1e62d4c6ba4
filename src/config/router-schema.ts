import { resolve } from 'node:path';
import * as z from 'zod';
import { DEFAULT_LIMITS, type RouterLimits } from '../router/limits.js';
import { HOST_NAME, isAddressOrRange, type RouterSettings } from '../router/settings.js';
import { DURATION_MESSAGE, isDuration, parseDuration } from './duration.js';

const duration = (description: string) => z.string({ error: DURATION_MESSAGE }).refine(isDuration, { error: DURATION_MESSAGE }).describe(description);
const count = (description: string) => z.number().int().min(1).max(1_000_000).describe(description);
const seconds = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
const d = DEFAULT_LIMITS;
/** HSTS is commonly a year or two (preload lists ask for a year), past the 30 days other durations allow. */
const HSTS_MAX_MS = 2 * 366 * 86_400_000;
const HSTS_MESSAGE = 'expected a duration like "180d" (at most 732d)';
const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

/** `router:` block: the limits, timeouts and trust of the environment's router (docs/router.md). */
export const RouterSchema = z
  .strictObject({
    trustedProxies: z
      .array(z.string().refine(isAddressOrRange, { error: 'expected an IP address or CIDR range like "10.0.0.0/8"' }))
      .optional()
      .describe('Proxies in front of the router whose X-Forwarded-For/-Proto/-Host, X-Real-IP, Forwarded and user header are believed. Default none: a client\'s own forwarding headers are replaced.'),
    trustUserHeader: z
      .boolean()
      .optional()
      .describe('Take the feature flags\' user header (flags userHeader) from any client, not only from trusted proxies. Default false.'),
    accessLog: z
      .union([
        z.literal(false),
        z.strictObject({
          maxSize: z.number().int().min(1024).optional().describe('Bytes after which access.log is rotated. Default 10485760 (10 MiB).'),
          keep: z.number().int().min(0).max(100).optional().describe('Rotated files kept (access.log.1 … access.log.N). Default 5.'),
        }),
      ])
      .optional()
      .describe('JSON-lines access log in .deploy/<env>/access.log (0600), written in batches. On by default; false turns it off.'),
    tls: z
      .strictObject({
        port: z.number().int().min(1).max(65535).describe('Port the router serves HTTPS on, beside `port` (plain HTTP).'),
        certificates: z
          .array(
            z.strictObject({
              hosts: z.array(z.string().min(1)).min(1).describe('Host names served with this certificate (SNI); "*.example.com" matches one label.'),
              cert: z.string().min(1).describe('PEM certificate chain file, relative to the project root.'),
              key: z.string().min(1).describe('PEM private key file, relative to the project root; must be mode 0600.'),
            }),
          )
          .min(1)
          .optional()
          .describe('Certificates from files, by host; the first also answers clients that send no SNI.'),
        acme: z
          .strictObject({
            hosts: z
              .array(z.string().regex(HOST_NAME, { error: 'expected a host name like shop.example.com (no wildcard: HTTP-01 cannot prove one; no port)' }))
              .min(1)
              .describe('Host names to get certificates for, one certificate each. Their DNS must point at this router, which answers the ACME challenge itself (see `challenge`).'),
            email: z.email({ error: 'expected an email address' }).optional().describe('Contact address of the ACME account.'),
            directory: z
              .url({ protocol: /^https$/, error: 'expected the https URL of an ACME directory' })
              .optional()
              .describe(`ACME directory URL. Default Let's Encrypt: ${LETS_ENCRYPT}.`),
            ca: z.string().min(1).optional().describe("PEM file (relative to the project root) of the CA that signed the ACME directory's own HTTPS certificate, for a private ACME server (step-ca, Pebble)."),
            challenge: z
              .enum(['http-01', 'tls-alpn-01'])
              .optional()
              .describe('How hosts prove control: http-01 (the default) on the plain-HTTP `port`, which the ACME server reaches as port 80; tls-alpn-01 on `tls.port`, reached as 443, for when port 80 is closed.'),
            renewBefore: duration('Renew a certificate this long before it expires, e.g. 30d. Default: when a third of its lifetime is left.').optional(),
          })
          .optional()
          .describe('Certificates ordered over ACME (HTTP-01 or TLS-ALPN-01) and renewed before expiry; account key and certificates live in .deploy/<env>/acme/ (0600).'),
        redirect: z.boolean().optional().describe('Answer plain-HTTP requests from other machines with a 308 to HTTPS (loopback clients, such as the deploy probes, are served). Default true.'),
        hsts: z
          .union([
            z.literal(false),
            z
              .string({ error: HSTS_MESSAGE })
              .refine((text) => parseDuration(text, HSTS_MAX_MS) !== null, { error: HSTS_MESSAGE })
              .describe('Strict-Transport-Security max-age, e.g. 180d or 365d.'),
          ])
          .optional().describe('Strict-Transport-Security max-age on HTTPS answers, or false. Default false.'),
      })
      .refine((tls) => tls.certificates !== undefined || tls.acme !== undefined, { error: 'expected certificates, acme, or both' })
      .optional()
      .describe('HTTPS from certificate files and/or ACME. Without it the router serves plain HTTP only (the default, e.g. on loopback).'),
    limits: z
      .strictObject({
        headerLines: count(`Header lines in a request head; more is answered 400. Default ${d.maxHeaderLines}.`).optional(),
        headerSize: z.number().int().min(1024).max(1024 * 1024).optional().describe(`Bytes of a request head; more is answered 431. Default ${d.maxHeaderBytes}.`),
        bodySize: z.number().int().min(0).optional().describe(`Bytes of a request body; more is answered 413. 0 means no limit. Default ${d.maxBodyBytes} (100 MiB).`),
        headTimeout: duration(`Time to send a whole request head from its first byte, else 408. Default ${seconds(d.headTimeoutMs)}.`).optional(),
        keepAliveTimeout: duration(`Idle keep-alive connections are closed after this. Default ${seconds(d.keepAliveTimeoutMs)}.`).optional(),
        bodyTimeout: duration(`A request body that stops arriving for this long is cut (408). Default ${seconds(d.bodyIdleTimeoutMs)}.`).optional(),
        sendTimeout: duration(`A client that reads none of its response for this long is disconnected. Default ${seconds(d.sendIdleTimeoutMs)}.`).optional(),
        responseTimeout: duration(`The release must send a response head within this, else 502. Default ${seconds(d.responseTimeoutMs)}.`).optional(),
        tunnelTimeout: duration(`An idle WebSocket (no byte either way) is closed after this. Default ${seconds(d.tunnelIdleTimeoutMs)}.`).optional(),
        connectionsPerClient: count(`Open connections from one client address; more get 503. Default ${d.maxConnectionsPerClient}.`).optional(),
        connections: count(`Open client connections in all; more get 503. Default ${d.maxConnections}.`).optional(),
      })
      .optional()
      .describe('Limits and timeouts for clients of the router.'),
  })
  .describe("The environment's router (local and docker platforms): limits, timeouts, trusted proxies.");

export type RawRouter = z.infer<typeof RouterSchema>;

export function resolveRouter(raw: RawRouter | undefined, projectRoot: string): RouterSettings {
  const l = raw?.limits ?? {};
  const ms = (text: string | undefined) => (text === undefined ? undefined : (parseDuration(text) ?? undefined));
  const limits: Partial<RouterLimits> = {
    maxHeaderLines: l.headerLines,
    maxHeaderBytes: l.headerSize,
    maxBodyBytes: l.bodySize,
    headTimeoutMs: ms(l.headTimeout),
    keepAliveTimeoutMs: ms(l.keepAliveTimeout),
    bodyIdleTimeoutMs: ms(l.bodyTimeout),
    sendIdleTimeoutMs: ms(l.sendTimeout),
    responseTimeoutMs: ms(l.responseTimeout),
    tunnelIdleTimeoutMs: ms(l.tunnelTimeout),
    maxConnectionsPerClient: l.connectionsPerClient,
    maxConnections: l.connections,
  };
  for (const key of Object.keys(limits) as (keyof RouterLimits)[]) if (limits[key] === undefined) delete limits[key];
  const settings: RouterSettings = { limits, trustedProxies: raw?.trustedProxies ?? [], trustUserHeader: raw?.trustUserHeader ?? false };
  const log = raw?.accessLog;
  if (log === false) settings.accessLog = false;
  else if (log !== undefined) settings.accessLog = { maxBytes: log.maxSize, keep: log.keep };
  const tls = raw?.tls;
  if (tls !== undefined) {
    settings.tls = {
      port: tls.port,
      certificates: (tls.certificates ?? []).map((c) => ({ hosts: c.hosts, cert: resolve(projectRoot, c.cert), key: resolve(projectRoot, c.key) })),
      redirect: tls.redirect ?? true,
      hstsSeconds: tls.hsts ? Math.floor((parseDuration(tls.hsts, HSTS_MAX_MS) ?? 0) / 1000) : 0,
    };
    const acme = tls.acme;
    if (acme !== undefined) {
      settings.tls.acme = { directory: acme.directory ?? LETS_ENCRYPT, hosts: acme.hosts.map((host) => host.toLowerCase()) };
      if (acme.email !== undefined) settings.tls.acme.email = acme.email;
      if (acme.ca !== undefined) settings.tls.acme.ca = resolve(projectRoot, acme.ca);
      if (acme.renewBefore !== undefined) settings.tls.acme.renewBeforeMs = ms(acme.renewBefore);
      if (acme.challenge !== undefined) settings.tls.acme.challenge = acme.challenge;
    }
  }
  return settings;
}
