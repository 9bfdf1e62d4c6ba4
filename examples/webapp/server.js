import { readFileSync } from 'node:fs';
import { loadKnobs } from './lib/knobs.js';
import { openDatabase, createStore, resolveDatabasePath } from './lib/database.js';
import { migrate } from './lib/migrate.js';
import { createApp } from './lib/app.js';

const knobs = loadKnobs();
if (knobs.crashOnStart) {
  console.error('crashOnStart is set in knobs.json: exiting on purpose');
  process.exit(1);
}

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const release = process.env.RELEASE_ID || 'dev';
const dbPath = resolveDatabasePath();
const db = openDatabase(dbPath);
if (process.env.MIGRATE_ON_START !== '0') {
  const applied = migrate(db);
  if (applied.length > 0) console.log(`migrations applied: ${applied.join(', ')}`);
}

const store = createStore(db);
const server = createApp({ store, knobs, release, version, sessionSecret: process.env.SESSION_SECRET ?? '' });
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

server.listen(port, host, () => {
  const { port: bound } = server.address();
  console.log(`webapp ${version} release ${release} listening on http://${host}:${bound} (db ${dbPath})`);
});

// Finish in-flight requests, then exit: the deploy tool drains through the router before it sends SIGTERM.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    server.close(() => {
      store.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 5_000).unref();
  });
}
