import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, makeProject, type CliResult } from '../../../cli/helpers.js';
import { startTestServer, type TestServer } from '../../../helpers/http-server.js';
import { afterEach, beforeAll } from 'vitest';
import { ensureBuilt } from '../../../setup/build.js';
import { FakeRailway, type FakeOptions } from './fake-railway.js';
import { requireSchemaOrSkip } from './schema.js';

export const TOKEN = 'rw-secret-token-7f3a9c1e5b';

export interface Harness {
  fake: FakeRailway;
  app: TestServer;
  dir: string;
  run(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliResult>;
  /** Every file under .deploy/ as text, to prove the token never lands on disk. */
  stateText(): string;
  close(): Promise<void>;
}

export function railwayConfig(appUrl: string, extra = '', railwayExtra = ''): string {
  return `app: shop
platform: railway
tests: false
migrations: none
url: ${appUrl}
health: { path: /health }
railway:
  project: proj-1
  service: web
  pollInterval: 20ms
  deadline: 10s
${railwayExtra}verify:
  smoke: ["GET /"]
  window: 2s
  minRequests: 20
${extra}environments:
  staging: {}
  production: { tests: "true" }
`;
}

/**
 * The fake API plus the "public domain": a real HTTP app whose behaviour the fake switches when a deployment goes
 * live, crashes or is rolled back, so smoke, error rate and p95 are measured for real.
 */
export async function startHarness(options: { tokenKind?: FakeOptions['tokenKind']; configExtra?: string; railwayExtra?: string; files?: Record<string, string> } = {}): Promise<Harness> {
  const app = await startTestServer({ release: 'none' });
  const fake = await new FakeRailway({
    token: TOKEN,
    tokenKind: options.tokenKind,
    onLive: (deployment, mode) => {
      if (mode === 'crashed') app.setBehaviour({ errorRate: 1, health: false, release: `${deployment?.id ?? 'none'}-crashed` });
      else app.setBehaviour({ errorRate: mode === 'bad' ? 1 : 0, health: true, release: deployment?.id ?? 'none' });
    },
  }).start();
  const dir = makeProject(railwayConfig(app.url, options.configExtra, options.railwayExtra), { 'server.js': 'console.log("hi")\n', ...options.files });
  const tokenVar = options.tokenKind === 'account' ? 'RAILWAY_API_TOKEN' : 'RAILWAY_TOKEN';
  return {
    fake,
    app,
    dir,
    run: (args, extraEnv = {}) =>
      runCli(args, {
        cwd: dir,
        env: { RAILWAY_TOKEN: '', RAILWAY_API_TOKEN: '', [tokenVar]: TOKEN, DEPLOY_RAILWAY_API_URL: fake.url, ...extraEnv },
      }),
    stateText: () => readTree(join(dir, '.deploy')),
    close: async () => {
      await fake.close();
      await app.close();
    },
  };
}

function readTree(dir: string): string {
  let out = '';
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return '';
  }
  for (const name of entries) {
    const path = join(dir, name);
    out += statSync(path).isDirectory() ? readTree(path) : readFileSync(path, 'utf8');
  }
  return out;
}

/** The token must appear nowhere: not on stdout, stderr, nor in any file under .deploy/ (history, state, logs). */
export function expectNoToken(h: Harness, ...results: CliResult[]): string[] {
  const leaks: string[] = [];
  for (const r of results) {
    if (r.stdout.includes(TOKEN)) leaks.push('stdout');
    if (r.stderr.includes(TOKEN)) leaks.push('stderr');
  }
  if (h.stateText().includes(TOKEN)) leaks.push('.deploy/');
  return leaks;
}

/**
 * The hooks every Railway CLI contract suite needs: build once when the schema is there, and close each test's
 * harness after it. `start` is startHarness, tracked for that cleanup.
 */
export function railwayContractSuite(): { available: boolean; start: typeof startHarness } {
  const available = requireSchemaOrSkip();
  let current: Harness | null = null;
  beforeAll(async () => {
    if (available) await ensureBuilt();
  }, 300_000);
  afterEach(async () => {
    await current?.close();
    current = null;
  });
  return { available, start: async (options) => (current = await startHarness(options)) };
}

/** The parts of the `--json` summary the Railway tests read. */
export const summaryJson = (stdout: string) => JSON.parse(stdout) as {
  status: string;
  exitCode: number;
  release: { id: string };
  rollback: { performed: boolean; command: string; verified?: boolean };
  checks: { pre: Array<{ name: string; ok: boolean; detail: string; warning?: boolean }>; post: Array<{ name: string; ok: boolean; value: string }> };
  message?: string;
  logTail?: string[];
};
