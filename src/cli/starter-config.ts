import type { ProjectFacts } from './init/project-facts.js';
import type { TrialStart } from './init/health-probe.js';

export interface StarterInput {
  app: string;
  /** What `deploy init` read from package.json; null outside a Node project. */
  facts?: ProjectFacts | null;
  /** The trial start's result; null when there was none (no start line known, or --no-probe). */
  trial?: TrialStart | null;
  /** Files and folders that look like app data (db.json, storage/...), proposed for `persist:`. */
  persist?: string[];
  /** Public ports of the two environments; default 4001 and 4000. */
  ports?: { staging: number; production: number };
  /** Smoke checks from the routes the router served (its access logs); default ["GET /"]. */
  smoke?: string[];
}

/** What `deploy init` writes: every common key, commented, valid as it stands. Reference: docs/configuration.md. */
export function starterConfig(input: StarterInput | string): string {
  const { app, facts = null, trial = null, persist = [], ports = { staging: 4001, production: 4000 }, smoke = [] } = typeof input === 'string' ? { app: input } : input;
  const start = facts?.start ?? 'node server.js';
  const startNote = facts?.startFrom ? `from ${facts.startFrom}` : 'edit: the command that starts ONE instance';
  const health = healthLines(trial);
  const tests = facts && !facts.hasTestScript
    ? '# tests: npm test            # no test script in package.json; add one, then this line (required for production)'
    : 'tests: npm test              # pre-check; `false` skips it (production refuses to skip)';
  return `# deploy.config.yaml: how \`npx deploy <environment>\` ships this project.
# Every key is documented in docs/configuration.md of the shipgate package.
# Values may use \${VAR} from the environment or the env files below; they are never printed.

app: ${app}
platform: local              # local (this machine) | docker | railway | kubernetes
${facts?.framework ? `# framework: ${facts.framework}\n` : ''}
# Runs inside each new release directory (a clean copy of the commit). Optional.
${facts?.build ? `build: ${facts.build}` : '# build: npm run build'}

# Starts ONE instance; PORT is set for it. The router owns the public port.
start: ${start}${' '.repeat(Math.max(1, 29 - start.length - 7))}# ${startNote}

health:
${health}
  timeout: 30s

${tests}
migrations: auto             # auto | none | { tool: knex, ... }

# Each release has its own node_modules from the lockfile (installed once per lockfile into a cache, then linked), so a
# rollback runs exactly the dependencies it ran before. \`dependencies: shared\` uses the project's node_modules instead.
# dependencies: release

# Data the app writes next to its code (a JSON or SQLite file, uploads): listed paths live once per environment in
# .deploy/<env>/shared/ and are linked into every release, so deploys and rollbacks keep the data. A rollback
# changes the code, never these files. Anything else the app writes inside its release stops the next deploy.
${persist.length ? `persist: [${persist.join(', ')}]` : '# persist: [db.json, storage/, uploads/]'}

env:
  required: []               # e.g. [DATABASE_URL, SESSION_SECRET]
  files: [".env.\${environment}"]

verify:                      # after the switch; any failure rolls back
${smokeLines(smoke)}
  errorRate: 1%
  p95: 500ms
  window: 30s
  minRequests: 200
  # database: \${DATABASE_URL}

releases:
  keep: 5                    # verified releases kept for \`deploy rollback\`; failed ones are pruned first

environments:
  staging:
    port: ${ports.staging}
  production:
    port: ${ports.production}
    requires: staging        # the same commit must be verified on staging first
    verify: { window: 5m }
`;
}

function healthLines(trial: TrialStart | null): string {
  if (trial?.path) return `  path: ${trial.path}${' '.repeat(Math.max(1, 19 - trial.path.length))}# answered 2xx on a trial start (${trial.answers.map((a) => a.detail.replace(/^GET /, '')).join(', ')})`;
  const why = trial?.problem ? `trial start ${trial.problem}` : trial ? 'no common health path answered 2xx on a trial start' : 'not probed';
  return `  path: /                    # ${why}; / is what every web app answers: use a real health path when you have one`;
}

/** Quoted as JSON strings, which YAML reads as they are. */
export function smokeLines(smoke: string[]): string {
  if (smoke.length === 0) return '  smoke: ["GET /"]';
  return `  # the most-served GET paths that answered 2xx, from the router's access log of the last release
  smoke: [${smoke.map((check) => JSON.stringify(check)).join(', ')}]`;
}
