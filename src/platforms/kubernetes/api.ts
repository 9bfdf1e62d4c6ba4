import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { ExitCode, UserError } from '../../errors.js';
import type { PatchAction } from './patches.js';

/** A non-2xx answer from the API server, with its Status reason (NotFound, Conflict, Invalid, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | null,
    message: string,
    readonly method: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The server never answered (refused, reset, timed out): unlike a KubeApiError, we do not know what happened. */
export class KubeUnreachableError extends Error {
  constructor(message: string, readonly method: string, readonly path: string) {
    super(message);
    this.name = 'KubeUnreachableError';
  }
}

export interface KubeClient {
  /** Where requests go, e.g. https://127.0.0.1:6443, and the kubeconfig context used. */
  readonly server: string;
  readonly context: string;
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType?: string): Promise<T>;
}

export interface ConnectOptions {
  context: string | null;
  /** Per-request limit. Default 10 s. */
  timeoutMs?: number;
}

const PLURALS: Record<string, string> = { Deployment: 'deployments', Service: 'services', Secret: 'secrets', Pod: 'pods', HTTPRoute: 'httproutes', Rollout: 'rollouts', Namespace: 'namespaces' };

/** REST path of a kind in a namespace: /api/v1/... for the core group, /apis/<group>/<version>/... otherwise. */
export function resourcePath(apiVersion: string, kind: string, namespace: string, name?: string, subresource?: string): string {
  const plural = PLURALS[kind];
  if (!plural) throw new Error(`no REST path for kind ${kind}`);
  const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}${name ? `/${encodeURIComponent(name)}` : ''}${subresource ? `/${subresource}` : ''}`;
}

export function patchPath(p: PatchAction): string {
  return resourcePath(p.apiVersion, p.kind, p.namespace, p.name, p.subresource);
}

/** The user's kubeconfig ($KUBECONFIG or ~/.kube/config) with the configured context selected. */
export async function loadKubeConfig(context: string | null) {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  const home = process.env.HOME ?? process.env.USERPROFILE ?? '';
  const inCluster = Boolean(process.env.KUBERNETES_SERVICE_HOST);
  if (!process.env.KUBECONFIG && !existsSync(join(home, '.kube', 'config')) && !inCluster) {
    throw new UserError('no kubeconfig: set KUBECONFIG or create ~/.kube/config (e.g. `kind export kubeconfig`), or run inside the cluster', ExitCode.precheckFailed);
  }
  try {
    kc.loadFromDefault();
  } catch (error) {
    throw new UserError(`kubeconfig could not be loaded: ${(error as Error).message.split('\n')[0]}`, ExitCode.precheckFailed);
  }
  if (context) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`kubernetes.context: "${context}" is not in the kubeconfig (known: ${known.join(', ') || 'none'})`, ExitCode.usage);
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

/** A client for the API server of the configured context; auth (tokens, client certs, exec plugins) comes from client-node. */
export async function connectKube(options: ConnectOptions): Promise<KubeClient> {
  const kc = await loadKubeConfig(options.context);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UserError('kubeconfig has no current context with a cluster; set kubernetes.context or run `kubectl config use-context`', ExitCode.precheckFailed);
  const server = cluster.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;

  return {
    server,
    context: kc.getCurrentContext(),
    async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
      const url = new URL(server + path);
      const opts: RequestOptions = { method, headers: { accept: 'application/json' } };
      await kc.applyToHTTPSOptions(opts);
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      if (payload) opts.headers = { ...opts.headers, 'content-type': contentType, 'content-length': String(payload.length) };
      return send<T>(url, opts, payload, timeoutMs);
    },
  };
}

function send<T>(url: URL, opts: RequestOptions, payload: Buffer | undefined, timeoutMs: number): Promise<T> {
  const method = opts.method ?? 'GET';
  const path = url.pathname;
  return new Promise<T>((resolve, reject) => {
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = make(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => reject(new KubeUnreachableError(e.message, method, path)));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> | null = null;
        try {
          json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          json = null;
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300 && json) return resolve(json as T);
        const message = typeof json?.message === 'string' ? json.message : text.slice(0, 200) || `HTTP ${status}`;
        reject(new KubeApiError(status, typeof json?.reason === 'string' ? json.reason : null, `${method} ${path}: ${status} ${message}`, method, path));
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => reject(new KubeUnreachableError(`${method} ${path}: ${e.message}`, method, path)));
    req.end(payload);
  });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof KubeApiError && error.status === 404;
}

/** GET that answers null for 404. */
export async function getOrNull<T = Record<string, unknown>>(client: KubeClient, path: string): Promise<T | null> {
  try {
    return await client.request<T>('GET', path);
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}
