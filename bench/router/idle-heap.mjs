// What one idle client connection costs the router, in the process's own accounting rather than RSS: the router
// (built, dist/) runs in a child with --expose-gc; COUNT idle connections (connected, nothing sent, each from an
// address of its own, 127.1.x.y) are opened to it; after a full GC the child reports heapUsed, external and
// arrayBuffers, before and with the connections. KIND=bare measures a plain `net` server that accepts and keeps
// sockets with one listener: node's own floor per connection, which no change in the router can go under.
// Usage: node bench/router/idle-heap.mjs [count=5000] [rounds=3]   (DIST=path/to/dist measures another build)
import { fork } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';

const here = fileURLToPath(import.meta.url);

if (process.argv[2] === 'child') await child(process.argv[3]);
else await parent(Number(process.argv[2] ?? 5000), Number(process.argv[3] ?? 3));

async function child(kind) {
  let count;
  if (kind === 'bare') {
    const sockets = new Set();
    const server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise((done) => server.listen(0, '127.0.0.1', done));
    process.send({ port: server.address().port });
    count = () => sockets.size;
  } else {
    const dist = resolve(process.env.DIST ?? resolve(here, '../../../dist'));
    const { createRouter } = await import(pathToFileURL(resolve(dist, 'src/router/router.js')).href);
    const router = await createRouter({ port: 0, host: '127.0.0.1' });
    await router.setActive({ id: 'up', url: 'http://127.0.0.1:9' });
    process.send({ port: router.port });
    count = () => router.status().clients.connections;
  }
  process.on('message', async (want) => {
    while (count() !== want) await new Promise((done) => setTimeout(done, 20));
    for (let i = 0; i < 3; i++) {
      globalThis.gc();
      await new Promise((done) => setImmediate(done));
    }
    const { heapUsed, heapTotal, external, arrayBuffers, rss } = process.memoryUsage();
    const newSpace = getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
    process.send({ heapUsed, heapTotal, newSpace, external, arrayBuffers, rss });
  });
}

async function parent(count, rounds) {
  const rows = [];
  for (let round = 1; round <= rounds; round++) {
    for (const kind of round % 2 ? ['router', 'bare'] : ['bare', 'router']) {
      const server = fork(here, ['child', kind], { execArgv: ['--expose-gc'], env: process.env });
      server.on('exit', (code, signal) => {
        if (!server.killed) throw new Error(`the ${kind} server exited (${signal ?? code})`);
      });
      const { port } = await new Promise((done) => server.once('message', done));
      const measure = (n) => {
        server.send(n);
        return new Promise((done) => server.once('message', done));
      };
      const before = await measure(0);
      const sockets = await openIdle(port, count);
      const during = await measure(count);
      for (const socket of sockets) socket.destroy();
      server.kill();
      const per = (field) => (during[field] - before[field]) / count;
      rows.push({ kind, heap: per('heapUsed'), external: per('external'), rss: per('rss') });
      const b = (value) => value.toFixed(0).padStart(5);
      console.log(`${round} ${kind.padEnd(6)} heap ${b(per('heapUsed'))} B  external ${b(per('external'))} B  rss ${b(per('rss'))} B per idle connection (of which V8 committed ${b(per('heapTotal'))} B, new space ${b(per('newSpace'))} B)`);
    }
  }
  for (const kind of ['router', 'bare']) {
    const median = (field) => rows.filter((r) => r.kind === kind).map((r) => r[field]).sort((a, b) => a - b)[Math.floor(rounds / 2)];
    console.log(`${kind}: median heap ${median('heap').toFixed(0)} B, external ${median('external').toFixed(0)} B, rss ${median('rss').toFixed(0)} B per idle connection`);
  }
}

/** In batches: all at once would overflow the listen backlog, and the connections it drops are never accepted. */
async function openIdle(port, count) {
  const sockets = [];
  for (let first = 0; first < count; first += 200) {
    await Promise.all(
      Array.from({ length: Math.min(200, count - first) }, (_, k) =>
        new Promise((done, fail) => {
          const i = first + k;
          const localAddress = `127.${1 + (i >> 16)}.${(i >> 8) & 255}.${(i & 255) || 1}`;
          const socket = connect({ host: '127.0.0.1', port, localAddress }, done);
          socket.once('error', fail);
          sockets.push(socket);
        }),
      ),
    );
  }
  return sockets;
}
