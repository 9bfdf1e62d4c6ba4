/**
 * A small fake Kubernetes API server for contract tests (no real API server can run here): a real HTTP server on
 * 127.0.0.1:0 serving discovery, GET/POST/PUT/PATCH/DELETE and watch for Deployments, Services, Secrets, Pods,
 * HTTPRoutes and Rollouts, with a tiny "controller" that turns Deployments (and Rollout templates) into pods
 * whose state the test scripts per image: ready, never ready, CrashLoopBackOff, ImagePullBackOff.
 *
 * Pods are stood in for by one real HTTP server on 0.0.0.0:<appPort>: every Deployment gets its own loopback
 * address (127.0.1.N) as pod IP, so the server knows which release a request reached (smokeVia: pod-ip).
 * A second real server, `publicUrl`, stands for the ingress: it answers as the release the Service selects.
 */
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { WebSocketServer } from 'ws';
import { join } from 'node:path';

type Obj = { apiVersion: string; kind: string; metadata: Record<string, any>; spec?: any; status?: any; [k: string]: any };

export type PodMode = 'ready' | 'never' | 'crashloop' | 'imagepull';

export interface ImageBehaviour {
  pods: PodMode;
  /** Share of non-health requests answered 500. */
  errorRate: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType: string | null;
  body: any;
  status: number;
}

/** Returns an answer to replace the normal one, or 'hang-up' to drop the connection; null lets the request through. */
export type Interceptor = (req: { method: string; path: string; body: any }) => { status: number; body?: unknown } | 'hang-up' | null;

const KINDS: Record<string, { apiVersion: string; kind: string }> = {
  services: { apiVersion: 'v1', kind: 'Service' },
  secrets: { apiVersion: 'v1', kind: 'Secret' },
  pods: { apiVersion: 'v1', kind: 'Pod' },
  deployments: { apiVersion: 'apps/v1', kind: 'Deployment' },
  httproutes: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
  rollouts: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' },
};

export const TOKEN = 'fake-cluster-token-7f3a9c';

export class FakeCluster {
  apiUrl = '';
  publicUrl = '';
  appPort = 0;
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, Obj>();
  readonly images = new Map<string, Partial<ImageBehaviour>>();
  interceptors: Interceptor[] = [];
  /** Delay before the fake controller reacts (pods appear, status updates). */
  reconcileMs = 30;
  private readonly events = new EventEmitter();
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private nextIp = 2;
  private rv = 1;
  readonly namespaces = new Set(['default']);

  static async start(): Promise<FakeCluster> {
    const fake = new FakeCluster();
    fake.apiUrl = await fake.listen((req, res) => fake.api(req, res), '127.0.0.1');
    fake.servers[0]!.on('upgrade', (req, socket, head) => fake.portForward(req, socket as Socket, head));
    fake.appPort = Number(new URL(await fake.listen((req, res) => fake.pod(req, res), '0.0.0.0')).port);
    fake.publicUrl = await fake.listen((req, res) => fake.ingress(req, res), '127.0.0.1');
    return fake;
  }

  private async listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host: string): Promise<string> {
    const server = createServer(handler);
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    this.servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig with one context pointing at this server, bearer token auth. */
  writeKubeconfig(dir: string, context = 'fake'): string {
    const path = join(dir, 'kubeconfig.yaml');
    writeFileSync(
      path,
      [
        'apiVersion: v1',
        'kind: Config',
        `current-context: ${context}`,
        'clusters:',
        `- name: fake`,
        `  cluster: { server: "${this.apiUrl}", insecure-skip-tls-verify: true }`,
        'users:',
        `- name: deployer`,
        `  user: { token: "${TOKEN}" }`,
        'contexts:',
        `- name: ${context}`,
        '  context: { cluster: fake, user: deployer, namespace: default }',
        '',
      ].join('\n'),
    );
    return path;
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await Promise.all(this.servers.map((s) => new Promise((r) => s.close(r))));
  }

  key(kind: string, ns: string, name: string): string {
    return `${kind}/${ns}/${name}`;
  }

  get(kind: string, ns: string, name: string): Obj | undefined {
    return this.objects.get(this.key(kind, ns, name));
  }

  list(kind: string, ns?: string): Obj[] {
    return [...this.objects.values()].filter((o) => o.kind === kind && (!ns || o.metadata.namespace === ns));
  }

  /** Seeds an object as if created by someone else. */
  put(obj: Obj): Obj {
    const stored: Obj = { ...structuredClone(obj), metadata: { generation: 1, uid: `uid-${this.rv}`, ...structuredClone(obj.metadata), resourceVersion: String(this.rv++) } };
    const existed = this.objects.has(this.key(stored.kind, stored.metadata.namespace, stored.metadata.name));
    this.objects.set(this.key(stored.kind, stored.metadata.namespace, stored.metadata.name), stored);
    this.events.emit('change', existed ? 'MODIFIED' : 'ADDED', stored);
    return stored;
  }

  addService(name: string, selector: Record<string, string>, ns = 'default'): void {
    this.put({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector, ports: [{ port: 80, targetPort: 'http' }] } });
  }

  /** The pods a Service sends traffic to, as the endpoints controller picks them: ready, not terminating, matching its selector (none without one). */
  endpoints(service: string, ns = 'default'): string[] {
    const selector: Record<string, string> = this.get('Service', ns, service)?.spec?.selector ?? {};
    if (Object.keys(selector).length === 0) return [];
    return this.list('Pod', ns)
      .filter((p) => p.status?.conditions?.[0]?.status === 'True' && !p.metadata.deletionTimestamp && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v))
      .map((p) => p.metadata.name);
  }

  /** Calls `listener` after every change to any object; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    this.events.on('change', listener);
    return () => this.events.off('change', listener);
  }

  patches(kind?: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'PATCH' && (!kind || r.path.includes(`/${kind}/`)));
  }

  behaviourOf(image: string): ImageBehaviour {
    return { pods: 'ready', errorRate: 0, ...(this.images.get(image) ?? {}) };
  }

  // ---- the API server -------------------------------------------------------------------------------------

  private api(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        body = text;
      }
      const method = req.method ?? 'GET';
      const record: RecordedRequest = { method, path: url.pathname, query: url.search, contentType: req.headers['content-type'] ?? null, body, status: 0 };
      this.requests.push(record);
      const send = (status: number, payload: unknown) => {
        record.status = status;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) return send(401, status(401, 'Unauthorized', 'no or wrong bearer token'));
      for (const intercept of this.interceptors) {
        const answer = intercept({ method, path: url.pathname, body });
        if (answer === 'hang-up') {
          record.status = -1;
          req.socket.destroy();
          return;
        }
        if (answer) return send(answer.status, answer.body ?? status(answer.status, 'InternalError', 'scripted failure'));
      }
      try {
        const out = this.route(method, url, body, record.contentType, res);
        if (out) send(out[0], out[1]);
      } catch (error) {
        send(500, status(500, 'InternalError', String(error)));
      }
    });
  }

  private route(method: string, url: URL, body: any, contentType: string | null, res: ServerResponse): [number, unknown] | null {
    const p = url.pathname;
    if (p === '/version') return [200, { major: '1', minor: '31', gitVersion: 'v1.31.0-fake' }];
    if (p === '/api') return [200, { kind: 'APIVersions', versions: ['v1'] }];
    if (p === '/apis') return [200, { kind: 'APIGroupList', groups: ['apps/v1', 'gateway.networking.k8s.io/v1', 'argoproj.io/v1alpha1'].map((gv) => ({ name: gv.split('/')[0], versions: [{ groupVersion: gv, version: gv.split('/')[1] }] })) }];
    const nsMatch = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p);
    if (nsMatch) return this.namespaces.has(nsMatch[1]!) ? [200, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: nsMatch[1] } }] : [404, status(404, 'NotFound', `namespaces "${nsMatch[1]}" not found`)];
    const m = /^\/(?:api\/v1|apis\/([^/]+\/[^/]+))\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?(?:\/(status))?$/.exec(p);
    if (!m) return [404, status(404, 'NotFound', `no route ${p}`)];
    const [, , ns, plural, name, sub] = m as unknown as [string, string | undefined, string, string, string | undefined, string | undefined];
    const kindInfo = KINDS[plural];
    if (!kindInfo) return [404, status(404, 'NotFound', `unknown resource ${plural}`)];
    const { kind } = kindInfo;
    if (!this.namespaces.has(ns)) return [404, status(404, 'NotFound', `namespaces "${ns}" not found`)];
    if (!name) {
      if (method === 'GET' && url.searchParams.get('watch') === 'true') {
        this.watch(kind, ns, url.searchParams.get('labelSelector'), res);
        return null;
      }
      if (method === 'GET') return [200, { apiVersion: kindInfo.apiVersion, kind: `${kind}List`, metadata: {}, items: this.list(kind, ns).filter((o) => matches(o, url.searchParams.get('labelSelector'))) }];
      if (method === 'POST') {
        if (this.get(kind, ns, body.metadata.name)) return [409, status(409, 'AlreadyExists', `${plural} "${body.metadata.name}" already exists`)];
        const created = this.put({ ...body, metadata: { ...body.metadata, namespace: ns } });
        this.reconcile(created);
        return [201, created];
      }
      return [405, status(405, 'MethodNotAllowed', method)];
    }
    const existing = this.get(kind, ns, name);
    if (!existing) return [404, status(404, 'NotFound', `${plural} "${name}" not found`)];
    if (method === 'GET') return [200, existing];
    if (method === 'DELETE') {
      this.objects.delete(this.key(kind, ns, name));
      this.events.emit('change', 'DELETED', existing);
      if (kind === 'Deployment') for (const pod of this.podsOf(existing)) this.objects.delete(this.key('Pod', ns, pod.metadata.name));
      return [200, status(200, 'Success', 'deleted')];
    }
    if (method === 'PUT') {
      if (body.metadata?.resourceVersion !== existing.metadata.resourceVersion) return [409, status(409, 'Conflict', 'the object has been modified')];
      const changedSpec = JSON.stringify(body.spec) !== JSON.stringify(existing.spec);
      const updated = this.put({ ...body, status: existing.status, metadata: { ...body.metadata, generation: existing.metadata.generation + (changedSpec ? 1 : 0) } });
      this.reconcile(updated);
      return [200, updated];
    }
    if (method === 'PATCH') {
      if (sub === 'status' && kind !== 'Rollout') return [404, status(404, 'NotFound', 'no status subresource')];
      let next: Obj;
      if (contentType === 'application/json-patch+json') {
        const result = applyJsonPatch(existing, body);
        if (typeof result === 'string') return [422, status(422, 'Invalid', result)];
        next = result;
      } else if (contentType === 'application/merge-patch+json') {
        next = mergePatch(structuredClone(existing), body) as Obj;
      } else {
        return [415, status(415, 'UnsupportedMediaType', String(contentType))];
      }
      if (sub === 'status') next = { ...existing, status: next.status };
      else if (kind === 'Rollout') next = { ...next, status: existing.status };
      const changedSpec = JSON.stringify(next.spec) !== JSON.stringify(existing.spec);
      const updated = this.put({ ...next, metadata: { ...next.metadata, generation: existing.metadata.generation + (changedSpec ? 1 : 0) } });
      if (sub === 'status') this.rolloutStatusChanged(updated);
      else this.reconcile(updated);
      return [200, updated];
    }
    return [405, status(405, 'MethodNotAllowed', method)];
  }

  private watch(kind: string, ns: string, selector: string | null, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    const write = (type: string, o: Obj) => {
      if (o.kind === kind && o.metadata.namespace === ns && matches(o, selector)) res.write(`${JSON.stringify({ type, object: o })}\n`);
    };
    for (const o of this.list(kind, ns)) write('ADDED', o);
    const listener = (type: string, o: Obj) => write(type, o);
    this.events.on('change', listener);
    res.on('close', () => this.events.off('change', listener));
  }

  /** Pods that were port-forwarded to, in order (the real kubelet protocol over WebSocket, v4.channel.k8s.io). */
  readonly forwarded: string[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false) });

  /**
   * GET /api/v1/namespaces/<ns>/pods/<pod>/portforward?ports=N upgraded to a WebSocket: channel 0 carries data,
   * channel 1 errors; the server's first frame on each channel is the port (2 bytes, little endian). Data goes to
   * the pod stand-in at the pod's IP.
   */
  private portForward(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/portforward$/.exec(url.pathname);
    const pod = m ? this.get('Pod', m[1]!, m[2]!) : undefined;
    const port = Number(url.searchParams.get('ports'));
    if (req.headers.authorization !== `Bearer ${TOKEN}` || !pod || !port) {
      socket.end(`HTTP/1.1 ${pod ? 401 : 404} Nope\r\n\r\n`);
      return;
    }
    this.forwarded.push(pod.metadata.name);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const portBytes = Buffer.from([port & 0xff, port >> 8]);
      ws.send(Buffer.concat([Buffer.from([0]), portBytes]));
      ws.send(Buffer.concat([Buffer.from([1]), portBytes]));
      const upstream = connect(this.appPort, pod.status.podIP);
      upstream.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([0]), d])));
      upstream.on('close', () => ws.close());
      upstream.on('error', () => ws.close());
      ws.on('message', (data: Buffer) => {
        if (data[0] === 0) upstream.write(data.subarray(1));
      });
      ws.on('close', () => upstream.destroy());
    });
  }

  // ---- the controller ---------------------------------------------------------------------------------------

  private later(fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.reconcileMs);
    this.timers.add(t);
  }

  private podsOf(owner: Obj): Obj[] {
    return this.list('Pod', owner.metadata.namespace).filter((p) => p.metadata.annotations?.owner === `${owner.kind}/${owner.metadata.name}`);
  }

  private reconcile(obj: Obj): void {
    if (obj.kind === 'Deployment') this.later(() => this.reconcileDeployment(obj.metadata.namespace, obj.metadata.name));
    if (obj.kind === 'Rollout') this.later(() => this.reconcileRollout(obj.metadata.namespace, obj.metadata.name));
  }

  /** Creates `replicas` pods with the template's labels and the image's scripted state; reports status like the real controller. */
  private makePods(owner: Obj, template: any, replicas: number, extraLabels: Record<string, string> = {}): Obj[] {
    const ns = owner.metadata.namespace;
    for (const pod of this.podsOf(owner).filter((p) => Object.entries(extraLabels).every(([k, v]) => p.metadata.labels[k] === v))) this.objects.delete(this.key('Pod', ns, pod.metadata.name));
    const image: string = template.spec.containers[0].image;
    const mode = this.behaviourOf(image).pods;
    const ip = `127.0.1.${this.nextIp++}`;
    const pods: Obj[] = [];
    for (let i = 0; i < replicas; i++) {
      const waiting = mode === 'crashloop' ? { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container=app' } : mode === 'imagepull' ? { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } : null;
      pods.push(
        this.put({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${owner.metadata.name}-${Object.values(extraLabels)[0] ?? 'p'}-${i}`, namespace: ns, labels: { ...template.metadata.labels, ...extraLabels }, annotations: { owner: `${owner.kind}/${owner.metadata.name}`, image } },
          spec: { containers: template.spec.containers },
          status: {
            phase: waiting ? 'Pending' : 'Running',
            podIP: ip,
            conditions: [{ type: 'Ready', status: mode === 'ready' ? 'True' : 'False' }],
            containerStatuses: [{ name: 'app', ready: mode === 'ready', restartCount: mode === 'crashloop' ? 3 : 0, state: waiting ? { waiting } : { running: {} } }],
          },
        }),
      );
    }
    return pods;
  }

  private reconcileDeployment(ns: string, name: string): void {
    const d = this.get('Deployment', ns, name);
    if (!d) return;
    const replicas = d.spec.replicas ?? 1;
    const pods = this.makePods(d, d.spec.template, replicas);
    const ready = pods.filter((p) => p.status.conditions[0].status === 'True').length;
    this.put({ ...d, status: { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, readyReplicas: ready, availableReplicas: ready } });
  }

  /** The Rollouts controller, blue-green only: first revision goes active; later ones wait in preview, paused. */
  private reconcileRollout(ns: string, name: string): void {
    const r = this.get('Rollout', ns, name);
    if (!r) return;
    const hash = hashOf(JSON.stringify(r.spec.template));
    const s = r.status ?? {};
    const observedGeneration = String(r.metadata.generation);
    if (s.currentPodHash === hash) {
      this.put({ ...r, status: { ...s, observedGeneration } });
      return;
    }
    this.makePods(r, r.spec.template, r.spec.replicas ?? 1, { 'rollouts-pod-template-hash': hash });
    const first = !s.stableRS;
    const status = first
      ? { observedGeneration, currentPodHash: hash, stableRS: hash, phase: 'Healthy', blueGreen: { activeSelector: hash, previewSelector: hash } }
      : { ...s, observedGeneration, currentPodHash: hash, phase: 'Paused', pauseConditions: [{ reason: 'BlueGreenPause', startTime: new Date().toISOString() }], blueGreen: { ...s.blueGreen, previewSelector: hash }, abort: undefined };
    // Like the real controller, a blue-green pause is a status pause condition; spec.paused is left to users.
    this.put({ ...r, status });
  }

  private rolloutStatusChanged(r: Obj): void {
    const s = r.status ?? {};
    if (s.abort) {
      this.put({ ...r, status: { ...s, phase: 'Degraded', message: 'RolloutAborted', pauseConditions: null, blueGreen: { ...s.blueGreen, previewSelector: s.stableRS } } });
      return;
    }
    if (!s.pauseConditions?.length && s.currentPodHash && s.currentPodHash !== s.stableRS && !r.spec.paused) {
      this.later(() => {
        const cur = this.get('Rollout', r.metadata.namespace, r.metadata.name)!;
        this.put({ ...cur, status: { ...cur.status, stableRS: s.currentPodHash, phase: 'Healthy', blueGreen: { ...cur.status.blueGreen, activeSelector: s.currentPodHash } } });
      });
    }
  }

  // ---- pods and ingress -------------------------------------------------------------------------------------

  /** Pod stand-in: answers as the release whose pod IP the request came in on. */
  private pod(req: IncomingMessage, res: ServerResponse): void {
    const ip = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
    const pod = this.list('Pod').find((p) => p.status?.podIP === ip);
    this.answer(pod ? pod.metadata.annotations.image : null, pod?.metadata.labels.release ?? null, req, res);
  }

  /** Ingress stand-in: answers as the release the Service (or the Rollout's active selector) points at. */
  private ingress(req: IncomingMessage, res: ServerResponse): void {
    const svc = this.list('Service').find((s) => s.metadata.name === this.ingressService);
    const selector: Record<string, string> = { ...(svc?.spec.selector ?? {}) };
    const rollout = this.list('Rollout')[0];
    if (rollout?.status?.blueGreen?.activeSelector) selector['rollouts-pod-template-hash'] = rollout.status.blueGreen.activeSelector;
    const pod = this.list('Pod').find((p) => p.status.conditions[0].status === 'True' && Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
    this.answer(pod ? pod.metadata.annotations.image : null, pod?.metadata.labels.release ?? null, req, res);
  }

  ingressService = 'shop';
  private served = new Map<string, number>();

  private answer(image: string | null, release: string | null, req: IncomingMessage, res: ServerResponse): void {
    if (!image) {
      res.writeHead(503, { 'content-type': 'text/plain' });
      res.end('no endpoints\n');
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const b = this.behaviourOf(image);
    res.setHeader('x-release', release ?? '');
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'ok', image }));
      return;
    }
    const n = this.served.get(image) ?? 0;
    this.served.set(image, n + 1);
    const fail = Math.floor((n + 1) * b.errorRate) > Math.floor(n * b.errorRate);
    res.writeHead(fail ? 500 : 200, { 'content-type': 'text/plain' });
    res.end(`${fail ? 'error' : 'ok'} from ${image}\n`);
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, code };
}

function matches(o: Obj, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [k, v] = term.split('=');
    return o.metadata.labels?.[k!] === v;
  });
}

function hashOf(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36).slice(0, 10);
}

function pointer(path: string): string[] {
  return path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** RFC 6902 subset (test, add, replace, remove): a failed test op is the API server's 422. */
function applyJsonPatch(target: Obj, ops: Array<{ op: string; path: string; value?: unknown }>): Obj | string {
  const doc = structuredClone(target) as any;
  for (const op of ops) {
    const parts = pointer(op.path);
    const last = parts.pop()!;
    let parent = doc;
    for (const part of parts) {
      if (parent?.[part] === undefined) return `path ${op.path} not found`;
      parent = parent[part];
    }
    if (op.op === 'test') {
      if (JSON.stringify(sortKeys(parent?.[last])) !== JSON.stringify(sortKeys(op.value))) return `the server rejected our request due to an error in our request: testing value ${op.path} failed`;
    } else if (op.op === 'add' || op.op === 'replace') {
      if (op.op === 'replace' && parent?.[last] === undefined) return `replace operation does not apply: doc is missing key: ${op.path}`;
      parent[last] = op.value;
    } else if (op.op === 'remove') {
      delete parent[last];
    } else {
      return `unsupported op ${op.op}`;
    }
  }
  return doc as Obj;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as any)[k])]));
  return v;
}

function mergePatch(target: any, patch: any): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
