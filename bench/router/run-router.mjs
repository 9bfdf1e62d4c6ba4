// Runs the built router on PORT, proxying to UPSTREAM (an origin URL). Used by the benchmark scripts.
// TLS_PORT, TLS_CERT, TLS_KEY: HTTPS on TLS_PORT too, with that certificate (the router's own TLS listener).
// PROFILE_DIR=dir: SIGUSR2 starts a CPU profile, the next SIGUSR2 writes it to dir (a window of the run, for
// profile-top.mjs, without the start-up that `node --cpu-prof` includes).
// DIST=path runs the router of that build instead of dist/ (it must sit where node_modules resolves).
// WORKERS=N (N > 1) runs N copies as a node:cluster sharing the port, to measure what a multi-worker router would gain.
import cluster from 'node:cluster';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// DIST=path: the router of another build (an A/B against an older dist/).
const dist = process.env.DIST ? pathToFileURL(join(process.env.DIST, 'src/router/router.js')).href : '../../dist/src/router/router.js';
const { createRouter } = await import(dist);

const workers = Number(process.env.WORKERS || 1);
if (workers > 1 && cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let ready = 0;
  cluster.on('message', () => {
    if (++ready === workers) process.stdout.write(`listening ${process.env.PORT} (${workers} workers)\n`);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers)) worker.kill('SIGTERM');
    setTimeout(() => process.exit(0), 500);
  });
} else {
  // ACCESS_LOG=1: a state dir of its own, so the access log (on by default there) is written, to measure its cost.
  const stateDir = process.env.ACCESS_LOG ? mkdtempSync(join(tmpdir(), 'shipgate-bench-state-')) : undefined;
  const router = await createRouter({
    port: Number(process.env.PORT),
    host: '127.0.0.1',
    stateDir,
    initialTable: { version: 1, active: { id: 'bench', url: process.env.UPSTREAM }, canary: null, updatedAt: new Date().toISOString() },
  });
  if (stateDir) await router.setActive({ id: 'bench', url: process.env.UPSTREAM });
  if (process.env.TLS_PORT) {
    const certificates = [{ hosts: ['localhost'], cert: process.env.TLS_CERT, key: process.env.TLS_KEY }];
    const tls = { port: Number(process.env.TLS_PORT), certificates, redirect: false, hstsSeconds: 0 };
    await router.configure({ limits: {}, trustedProxies: [], trustUserHeader: false, accessLog: stateDir ? undefined : false, tls });
  }
  if (cluster.isWorker) process.send('ready');
  else process.stdout.write(`listening ${router.port}\n`);
  process.on('SIGTERM', () => router.close(1000).then(() => process.exit(0)));
  if (process.env.PROFILE_DIR) profileOnSignal(process.env.PROFILE_DIR);
}

async function profileOnSignal(dir) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  let running = false;
  let count = 0;
  process.on('SIGUSR2', async () => {
    running = !running;
    if (running) return session.post('Profiler.start');
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(dir, `window-${process.pid}-${++count}.cpuprofile`), JSON.stringify(profile));
  });
}
