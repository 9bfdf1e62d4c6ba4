import { createHmac, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The HTTP app. Everything that varies per run (store, knobs, release id, clock) is passed in,
 * so the tests drive the same code the server runs.
 */
export function createApp({ store, knobs, release = 'dev', version = '0.0.0', sessionSecret = '', now = () => Date.now() }) {
  const startedAt = now();
  let served = 0;
  let dbLost = false;

  const uptime = () => now() - startedAt;
  const turnedBad = () => knobs.failAfterMs > 0 && uptime() >= knobs.failAfterMs;
  const databaseUp = () => {
    const lose = (knobs.dbFailAfterMs > 0 && uptime() >= knobs.dbFailAfterMs) || (knobs.dbFailAfterRequests > 0 && served >= knobs.dbFailAfterRequests);
    if (!dbLost && lose) {
      dbLost = true;
      store.loseConnection();
    }
    return store.ping();
  };
  // Deterministic: exactly errorRate of the non-health requests fail, the first one at 1/errorRate.
  const injectError = (n) => Math.floor((n + 1) * knobs.errorRate) > Math.floor(n * knobs.errorRate);

  async function handle(req, res) {
    res.setHeader('x-release', release);
    const url = new URL(req.url ?? '/', 'http://app.local');

    if (url.pathname === '/health') {
      const database = databaseUp() ? 'connected' : 'unreachable';
      const healthy = !knobs.failHealth && !turnedBad() && database === 'connected';
      return json(res, healthy ? 200 : 503, { status: healthy ? 'ok' : 'failing', release, version, database, uptimeMs: uptime() });
    }

    const n = served++;
    if (knobs.latencyMs > 0) await delay(knobs.latencyMs);
    if (turnedBad() || injectError(n)) return json(res, 500, { error: 'injected failure (knobs.json)' });
    // A release that lost its routes: only / (and /health above) still answer.
    if (knobs.lostRoutes && url.pathname !== '/') return json(res, 404, { error: 'not found' });

    if (req.method === 'GET' && url.pathname === '/') {
      if (sessionSecret && !/(^|; )visitor=/.test(req.headers.cookie ?? '')) res.setHeader('set-cookie', visitorCookie(sessionSecret));
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end(`<!doctype html><title>webapp</title><h1>Hello from release ${escapeHtml(release)}</h1><p>version ${escapeHtml(version)}</p>\n`);
    }
    if (req.method === 'GET' && url.pathname === '/api/items') {
      if (!databaseUp()) return json(res, 503, { error: 'database unreachable' });
      return json(res, 200, { items: store.listItems() });
    }
    return json(res, 404, { error: 'not found' });
  }

  return createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: error.message });
      else res.destroy();
    });
  });
}

/** A signed visitor id: the reason the app needs SESSION_SECRET. */
function visitorCookie(secret) {
  const id = randomBytes(8).toString('hex');
  const signature = createHmac('sha256', secret).update(id).digest('base64url');
  return `visitor=${id}.${signature}; Path=/; HttpOnly; SameSite=Lax`;
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body) + '\n');
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
