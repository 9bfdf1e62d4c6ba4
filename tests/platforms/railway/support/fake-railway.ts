import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { execute, getOperationAST, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { loadRailwaySchema } from './schema.js';

/**
 * A local fake of Railway's public API for contract tests. Every GraphQL operation is parsed, validated against
 * Railway's published schema (variables included) and executed with graphql-js over a scriptable state machine,
 * so answers have exactly the shape the real API gives. Uploads are gunzipped and their tar entries recorded.
 */
export interface FakeDeployment {
  id: string;
  status: string;
  createdAt: string;
  canRollback: boolean;
  /** Statuses still to come: each `deployment(id)` or list read advances one step. */
  script: string[];
  /** What the public app does once this deployment is live. */
  mode: AppMode;
  buildLogs: string[];
  deployLogs: string[];
  /** After going live: turns CRASHED after this many more reads. */
  crashAfterReads: number | null;
  rollbackOf: string | null;
}

export type AppMode = 'good' | 'bad';

export interface NextDeploy {
  statuses: string[];
  mode: AppMode;
  buildLogs?: string[];
  deployLogs?: string[];
  crashAfterReads?: number;
}

export interface FakeOptions {
  token: string;
  tokenKind?: 'project' | 'account';
  /** Called when a deployment goes live (or crashes), to switch the public app. */
  onLive?: (deployment: FakeDeployment | null, mode: AppMode | 'crashed') => void;
}

export interface Call {
  operation: string;
  variables: Record<string, unknown>;
  at: number;
  status: number;
}

export class FakeRailway {
  readonly calls: Call[] = [];
  readonly violations: string[] = [];
  readonly uploads: Array<{ path: string; files: string[] }> = [];
  readonly deployments: FakeDeployment[] = [];
  instance = { healthcheckPath: '/health' as string | null, overlapSeconds: 0, drainingSeconds: 0, image: null as string | null };
  next: NextDeploy = { statuses: ['BUILDING', 'DEPLOYING', 'SUCCESS'], mode: 'good' };
  /** Statuses of the deployment a rollback creates; e.g. ['DEPLOYING', 'FAILED'] to make the rollback fail. */
  rollbackScript: string[] = ['DEPLOYING', 'SUCCESS'];
  /** What httpMetricsGroupedByStatus answers (Railway's own HTTP metrics); empty: no samples for the window. */
  httpMetrics: Array<{ statusCode: number; samples: Array<{ ts: number; value: number }> }> = [];
  /** Answer the next request for this operation with 429 and this Retry-After (seconds). */
  rateLimit: { operation: string; retryAfter: string } | null = null;
  /** Answer every API request with a 307 to this URL (a hijacked or misconfigured endpoint). */
  redirectTo: string | null = null;
  private counter = 0;
  private server: Server | null = null;
  private readonly schema: GraphQLSchema = loadRailwaySchema();
  url = '';

  constructor(private readonly options: FakeOptions) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((error: unknown) => {
      this.violations.push(`fake crashed: ${String(error)}`);
      res.writeHead(500).end();
    }));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/graphql/v2`;
    return this;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** A deployment that is already live, as if made earlier (from the dashboard, or an earlier shipgate run). */
  seedLive(mode: AppMode = 'good'): FakeDeployment {
    const d = this.create({ statuses: [], mode }, null);
    d.status = 'SUCCESS';
    this.goLive(d);
    return d;
  }

  calledOperations(): string[] {
    return this.calls.map((c) => c.operation);
  }

  private create(next: NextDeploy, rollbackOf: string | null): FakeDeployment {
    this.counter += 1;
    const d: FakeDeployment = {
      id: `dep-${this.counter}-${Math.random().toString(16).slice(2, 8)}`,
      status: 'QUEUED',
      createdAt: new Date(Date.now() + this.counter).toISOString(),
      canRollback: true,
      script: [...next.statuses],
      mode: next.mode,
      buildLogs: next.buildLogs ?? ['#1 building', '#2 done'],
      deployLogs: next.deployLogs ?? ['listening'],
      crashAfterReads: next.crashAfterReads ?? null,
      rollbackOf,
    };
    this.deployments.push(d);
    return d;
  }

  private advance(d: FakeDeployment): void {
    if (d.status === 'SUCCESS' && d.crashAfterReads !== null) {
      if (d.crashAfterReads <= 0) {
        d.status = 'CRASHED';
        this.options.onLive?.(d, 'crashed');
      } else d.crashAfterReads -= 1;
      return;
    }
    const next = d.script.shift();
    if (!next) return;
    d.status = next;
    if (next === 'SUCCESS') this.goLive(d);
  }

  private goLive(d: FakeDeployment): void {
    for (const other of this.deployments) if (other !== d && other.status === 'SUCCESS') other.status = 'REMOVED';
    this.options.onLive?.(d, d.mode);
  }

  private authorized(req: IncomingMessage): boolean {
    const kind = this.options.tokenKind ?? 'project';
    if (kind === 'project') return req.headers['project-access-token'] === this.options.token;
    return req.headers.authorization === `Bearer ${this.options.token}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (this.redirectTo) {
      this.calls.push({ operation: 'redirected', variables: {}, at: Date.now(), status: 307 });
      return void res.writeHead(307, { location: this.redirectTo }).end();
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const upload = /^\/project\/([^/]+)\/environment\/([^/]+)\/up$/.exec(url.pathname);
    if (req.method === 'POST' && upload) return this.handleUpload(req, res, body, url);
    if (req.method !== 'POST' || url.pathname !== '/graphql/v2') return void res.writeHead(404).end();

    const { query, variables = {} } = JSON.parse(body.toString('utf8')) as { query: string; variables?: Record<string, unknown> };
    let document: DocumentNode;
    try {
      document = parse(query);
    } catch (error) {
      this.violations.push(`unparsable operation: ${String(error)}`);
      return json(res, 400, { errors: [{ message: String(error) }] });
    }
    const operation = getOperationAST(document)?.name?.value ?? '(anonymous)';
    const call: Call = { operation, variables, at: Date.now(), status: 200 };
    this.calls.push(call);
    const errors = validate(this.schema, document);
    const problems = [...errors];
    if (problems.length > 0) {
      this.violations.push(`${operation}: ${problems.map((e) => e.message).join('; ')}`);
      call.status = 400;
      return json(res, 400, { errors: problems.map((e) => ({ message: e.message })) });
    }
    if (this.rateLimit && this.rateLimit.operation === operation) {
      const retryAfter = this.rateLimit.retryAfter;
      this.rateLimit = null;
      call.status = 429;
      res.writeHead(429, { 'retry-after': retryAfter, 'x-ratelimit-remaining': '0', 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ errors: [{ message: 'rate limited' }] }));
    }
    if (!this.authorized(req)) return json(res, 200, { data: null, errors: [{ message: 'Not Authorized' }] });
    // execute() also coerces the variables against the operation's definitions (wrong input shapes fail here).
    const result = await execute({ schema: this.schema, document, rootValue: this.root(), variableValues: variables });
    const unexpected = (result.errors ?? []).filter((e) => !/not found/i.test(e.message));
    if (unexpected.length) this.violations.push(`${operation} answer: ${unexpected.map((e) => e.message).join('; ')}`);
    return json(res, 200, result, { 'x-ratelimit-remaining': '100' });
  }

  private handleUpload(req: IncomingMessage, res: ServerResponse, body: Buffer, url: URL): void {
    this.calls.push({ operation: 'upload', variables: { serviceId: url.searchParams.get('serviceId') }, at: Date.now(), status: 200 });
    if (!this.authorized(req)) return json(res, 401, { message: 'Unauthorized' });
    this.uploads.push({ path: url.pathname + url.search, files: tarNames(gunzipSync(body)) });
    const d = this.create(this.next, null);
    json(res, 200, { deploymentId: d.id, url: `https://railway.app/project/x/service/y?id=${d.id}`, deploymentDomain: 'web.up.railway.app' });
  }

  private find(id: string): FakeDeployment {
    const d = this.deployments.find((x) => x.id === id);
    if (!d) throw new Error(`Deployment not found`);
    return d;
  }

  /** Resolvers, as plain properties and functions (graphql-js's default resolver calls them with the args). */
  private root(): Record<string, unknown> {
    const view = (d: FakeDeployment) => ({ ...d, staticUrl: 'web.up.railway.app', meta: d.rollbackOf ? { rollbackOf: d.rollbackOf } : {}, creator: { name: 'shipgate-test', email: 'ci@example.com', id: 'u1' } });
    return {
      me: () => ({ id: 'user-1' }),
      projectToken: () => ({ projectId: 'proj-1', environmentId: 'env-staging' }),
      project: ({ id }: { id: string }) => {
        if (id !== 'proj-1') throw new Error('Project not found');
        return {
          id,
          name: 'shop',
          environments: { edges: [{ node: { id: 'env-staging', name: 'staging' } }, { node: { id: 'env-production', name: 'production' } }] },
          services: { edges: [{ node: { id: 'svc-web', name: 'web' } }] },
        };
      },
      serviceInstance: ({ serviceId }: { serviceId: string }) => {
        if (serviceId !== 'svc-web') throw new Error('ServiceInstance not found');
        return {
          id: 'si-1',
          serviceName: 'web',
          healthcheckPath: this.instance.healthcheckPath,
          healthcheckTimeout: 300,
          overlapSeconds: this.instance.overlapSeconds,
          drainingSeconds: this.instance.drainingSeconds,
          source: { image: this.instance.image, repo: null },
          domains: { serviceDomains: [{ domain: 'web.up.railway.app' }], customDomains: [] },
        };
      },
      serviceInstanceUpdate: ({ input }: { input: Record<string, unknown> }) => {
        if (typeof input.healthcheckPath === 'string') this.instance.healthcheckPath = input.healthcheckPath;
        if (typeof input.overlapSeconds === 'number') this.instance.overlapSeconds = input.overlapSeconds;
        if (typeof input.drainingSeconds === 'number') this.instance.drainingSeconds = input.drainingSeconds;
        const source = input.source as { image?: string } | undefined;
        if (source?.image) this.instance.image = source.image;
        return true;
      },
      serviceInstanceDeployV2: () => this.create(this.next, null).id,
      deployment: ({ id }: { id: string }) => {
        const d = this.find(id);
        this.advance(d);
        return view(d);
      },
      deployments: ({ input, first }: { input: { status?: { in?: string[] } }; first?: number }) => {
        for (const d of this.deployments) if (d.rollbackOf) this.advance(d);
        let list = [...this.deployments].reverse();
        if (input.status?.in) list = list.filter((d) => input.status!.in!.includes(d.status));
        list = list.slice(0, first ?? 20);
        return { edges: list.map((d) => ({ cursor: d.id, node: view(d) })), pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } };
      },
      buildLogs: ({ deploymentId }: { deploymentId: string }) => this.find(deploymentId).buildLogs.map(logLine),
      deploymentLogs: ({ deploymentId }: { deploymentId: string }) => this.find(deploymentId).deployLogs.map(logLine),
      deploymentRollback: ({ id }: { id: string }) => {
        const target = this.find(id);
        // The figures of the window after a rollback belong to the restored deployment: start them afresh.
        this.httpMetrics = [];
        const d = this.create({ statuses: this.rollbackScript, mode: target.mode }, id);
        d.createdAt = new Date().toISOString();
        return true;
      },
      httpMetricsGroupedByStatus: () => this.httpMetrics,
    };
  }
}

function logLine(message: string) {
  return { message, timestamp: new Date().toISOString(), severity: 'info', attributes: [], tags: null };
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Names of the regular files in a tar (ustar, with pax path records). */
export function tarNames(tar: Buffer): string[] {
  const names: string[] = [];
  let offset = 0;
  let paxPath: string | null = null;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, length: number) => header.subarray(start, start + length).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'x') {
      const match = /\d+ path=(.*)\n/.exec(data.toString('utf8'));
      paxPath = match ? match[1]! : null;
    } else if (type === '0' || type === '') {
      const prefix = field(345, 155);
      names.push(paxPath ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100)));
      paxPath = null;
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return names;
}
