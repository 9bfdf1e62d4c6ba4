import { isIP } from 'node:net';
import * as z from 'zod';
import { DURATION_MESSAGE, isDuration } from './duration.js';
import { ENV_NAME_MESSAGE, ENV_NAME_PATTERN } from './env-name.js';
import { PERCENT_MESSAGE, parsePercent } from './percent.js';
import { NotifySchema } from '../notify/config-schema.js';
import { DEFAULT_PLATFORM, PLATFORMS, PLATFORM_NAMES, type PlatformName, type PlatformSections } from '../platforms/registry.js';
import { persistEntryProblem } from '../releases/persist.js';
import { RouterSchema } from './router-schema.js';
import { parseJsonPath } from '../verify/json-path.js';

/**
 * The one schema of deploy.config.{yaml,yml,json}. It is the source of the config's TypeScript
 * types, of validation, of docs/deploy.config.schema.json and of docs/configuration.md
 * (`npm run docs`). Every field is optional except `app`. Defaults are the schema's own (`.default()`, applied
 * once an environment is merged: see resolve.ts) and the deployment-recipes bundle's (merged beneath the config);
 * rules in rules.ts check what a deploy needs after merging. Each platform brings its own section through
 * src/platforms/registry.ts.
 */

const duration = (description: string) =>
  z
    .string({ error: DURATION_MESSAGE })
    .refine(isDuration, { error: DURATION_MESSAGE })
    .meta({ pattern: '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$', examples: ['500ms', '30s', '5m'] })
    .describe(description);

const percent = (description: string) =>
  z
    .string({ error: PERCENT_MESSAGE })
    .refine((text) => parsePercent(text) !== null, { error: PERCENT_MESSAGE })
    .meta({ pattern: '^\\d+(\\.\\d+)?%$', examples: ['1%', '0.5%'] })
    .describe(description);

const command = (description: string) => z.string({ error: 'expected a shell command line' }).min(1, { error: 'must not be empty' }).describe(description);

import { isSshTargetSpec } from '../remote/ssh-target.js';

const LISTEN_MESSAGE = 'expected an IP address like "127.0.0.1", "0.0.0.0" or "::"';
const listenAddress = (description: string) =>
  z.string({ error: LISTEN_MESSAGE }).refine((text) => isIP(text) !== 0 || text === 'localhost', { error: LISTEN_MESSAGE }).describe(description);
const sshTarget = (description: string) =>
  z.string().refine(isSshTargetSpec, { error: 'expected a server like "deploy@app1.example.com" or "app1:2222"' }).describe(description);

const URL_MESSAGE = 'expected a URL like "https://shop.example.com"';

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const varName = z.string().regex(VAR_NAME, { error: 'expected a variable name like DATABASE_URL' });

const SMOKE_STRING = /^(?:(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) )?\/\S*$/;

export const SmokeCheckSchema = z
  .union([
    z.string().regex(SMOKE_STRING, { error: 'expected a smoke check like "GET /" or "/health"' }),
    z.strictObject({
      path: z.string().startsWith('/', { error: 'must start with "/"' }).describe('Path requested on the release, e.g. /api/items.'),
      method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET').describe('HTTP method.'),
      status: z.number().int().min(100).max(599).optional().describe('Expected status code. Default: any 2xx or 3xx.'),
      contains: z.string().optional().describe('Text the response body must contain.'),
      headers: z.record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: 'expected a header name' }), z.string()).optional().describe('Response headers whose value must contain the given text, e.g. { content-type: application/json }.'),
      json: z
        .strictObject({
          path: z.string().refine((p) => parseJsonPath(p) !== null, { error: 'expected a JSON path like $.items[0].id' }).describe('Where the value is in the JSON body, e.g. $.items[0].id.'),
          equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional().describe('The value it must equal. Default: any value but null.'),
        })
        .optional()
        .describe('A value the JSON body must have.'),
    }),
  ], { error: 'expected a smoke check like "GET /" or { path: /api/items, status: 200 }' })
  .describe('One smoke check: "GET /path", "/path", or an object with path, method, status, contains, headers and json.');

export const RequiredVarSchema = z
  .union([
    varName,
    z.strictObject({
      name: varName.describe('Variable name.'),
      type: z.enum(['string', 'url', 'number', 'enum']).default('string').describe('Expected kind of value.'),
      values: z.array(z.string()).min(1).optional().describe('Allowed values when type is enum.'),
      minLength: z.number().int().min(1).optional().describe('Minimum length of the value.'),
    }),
  ], { error: 'expected a variable name or { name, type }' })
  .describe('A required variable: its name, or an object with name, type, values and minLength.');

export const MigrationsSchema = z
  .union([
    z.enum(['auto', 'none']),
    z.strictObject({
      tool: z.enum(['prisma', 'drizzle', 'knex', 'node-pg-migrate', 'umzug', 'sql']).describe('Migration tool.'),
      dir: z.string().optional().describe('Folder of migrations, relative to the project root (sql tool).'),
      table: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).optional().describe('Table that records applied migrations (sql tool).'),
      database: z.string().optional().describe('Database URL; ${VAR} interpolation applies. Default: verify.database.'),
      command: command('Command that applies pending migrations, when the tool has no default.').optional(),
    }),
  ], { error: 'expected "auto", "none" or { tool: ... }' })
  .describe('"auto" detects the migration tool, "none" skips the check, or an object names the tool.');

export const DEFAULT_TEST_TIMEOUT = '10m';

const TestsSchema = z
  .union([
    command('Test command run as a pre-check, e.g. "npm test".'),
    z.literal(false),
    z.strictObject({
      command: command('Test command.'),
      timeout: duration('Time limit for the test run.').default(DEFAULT_TEST_TIMEOUT),
    }),
  ], { error: 'expected a command, false, or { command, timeout }' })
  .describe('Pre-deployment test command; false skips the tests (refused for production). Default: npm test when package.json has a test script.');

/** Everything an environment can override. All optional: bundle defaults fill the gaps. */
const SettingsShape = {
  platform: z.enum(PLATFORM_NAMES).default(DEFAULT_PLATFORM).describe('Where releases run.'),
  strategy: z.enum(['blue-green', 'canary']).optional().describe('Rollout strategy.'),
  build: command('Build command; runs in the release directory through a shell.').optional(),
  start: command('Start command for one instance (local platform); PORT is set for it. Runs through a shell.').optional(),
  port: z.number().int().min(1).max(65535).optional().describe("Public port of the environment's router (local platform)."),
  listen: listenAddress("Address the environment's router listens on, with `port` (local and docker platforms). Default 127.0.0.1 (this machine only) for every environment except production, 0.0.0.0 (all interfaces) for production.").optional(),
  hosts: z
    .array(
      z.union([
        sshTarget('A server: [user@]host[:port], or an alias from ~/.ssh/config.'),
        z.strictObject({
          host: sshTarget('The server: [user@]host[:port], or an alias from ~/.ssh/config.'),
          listen: listenAddress("Address the router listens on on this server (e.g. its private address for the load balancer); default the environment's `listen`.").optional(),
        }),
      ], { error: 'expected a server like "deploy@app1.example.com" or "app1:2222", or { host, listen }' }),
    )
    .min(1, { error: 'list at least one server, or leave hosts out to deploy on this machine' })
    .optional()
    .describe('Servers reached over SSH ([user@]host[:port], or an alias from ~/.ssh/config; { host, listen } to bind the router to an address of that server). The environment runs on each, one at a time (or `batch` at a time); see docs/ssh.md.'),
  batch: z
    .number()
    .int()
    .min(1)
    .default(1)
    .describe('How many of `hosts` are deployed at once; each batch is verified before the next starts, and a failure rolls back that batch and every host done before it.'),
  ssh: z
    .strictObject({ identityFile: z.string().min(1).optional().describe('Private key for every host of the environment (ssh -i). Default: what ssh uses.') })
    .optional()
    .describe('SSH client settings for `hosts`.'),
  url: z
    .string({ error: URL_MESSAGE })
    .refine((text) => text.includes('${') || /^https?:\/\//.test(text) && URL.canParse(text), { error: URL_MESSAGE })
    .optional().describe('Public URL shown in the summary. Default http://localhost:<port>.'),
  health: z
    .strictObject({
      path: z
        .string()
        .startsWith('/', { error: 'must start with "/"' })
        .regex(/^\/[\x21-\x7e]*$/, { error: 'must be a plain request target: no spaces, control or non-ASCII characters (percent-encode them)' })
        .optional()
        .describe('Health path polled before traffic moves.'),
      timeout: duration('Deadline for the release to become healthy.').optional(),
      interval: duration('Time between health polls.').optional(),
    })
    .optional()
    .describe('Health check of a new release.'),
  tests: TestsSchema.optional(),
  migrations: MigrationsSchema.default('auto'),
  env: z
    .strictObject({
      required: z.array(RequiredVarSchema).optional().describe('Variables that must be set; values are never printed.'),
      files: z.array(z.string().min(1)).optional().describe('dotenv files, relative to the project root; ${environment} is replaced. Later files win; the process environment wins over files.'),
    })
    .optional()
    .describe('Environment variables of the release.'),
  verify: z
    .strictObject({
      smoke: z.array(SmokeCheckSchema).default(['GET /']).describe('Smoke checks run on the new release before and after the switch.'),
      errorRate: percent('Highest error rate (5xx share) of traffic to the new release.').optional(),
      p95: duration('Highest p95 response time of traffic to the new release.').optional(),
      window: duration('How long traffic is watched after the switch.').optional(),
      minRequests: z.number().int().min(0).max(1_000_000).optional().describe('Requests needed before the gate decides; probe traffic fills the gap.'),
      database: z.string().optional().describe('Database URL checked after the switch, usually ${DATABASE_URL}.'),
      probe: z.boolean().default(true).describe('Send probe requests to the GET smoke paths when real traffic is below minRequests (blue before the switch, green after).'),
      extend: duration('How much longer an inconclusive window (too few requests to tell) goes on, probing, before onInconclusive applies. Default: one more window.').optional(),
      onInconclusive: z
        .enum(['rollback', 'hold', 'promote'])
        .default('rollback')
        .describe('What an inconclusive verification does after its extension: rollback (switch back), hold (leave traffic on the new release, blue warm, exit 4 for a human) or promote (keep it, unverified).'),
    })
    .prefault({})
    .describe('Post-deployment verification; failing any check rolls back. The new release is judged against the one it replaces (docs/verification.md).'),
  requires: z.string().regex(ENV_NAME_PATTERN, { error: ENV_NAME_MESSAGE }).optional().describe('Environment where the same commit must have been deployed and verified first.'),
  maxAge: duration('How recent that verified deploy must be; the bundle\'s gate may set it.').default('7d'),
  persist: z
    .array(
      z.string().superRefine((entry, ctx) => {
        const problem = persistEntryProblem(entry);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      }),
    )
    .default([])
    .describe('Local platform: files and folders (trailing "/") that live once per environment in .deploy/<env>/shared/ and are linked into every release, e.g. [db.json, storage/, uploads/]. Seeded from the first release that has them; deploys and rollbacks keep the data.'),
  dependencies: z
    .enum(['release', 'shared'])
    .default('release')
    .describe("Local platform. release: each release gets its own node_modules from its lockfile (npm, pnpm or yarn), installed once per lockfile into a cache and linked (one symlink; a tree of hard links when build: runs); a rollback runs its old dependencies. shared: every release uses the project's node_modules as it is now."),
  releases: z
    .strictObject({ keep: z.number().int().min(1).max(100).optional().describe('Verified releases kept for rollback; failed and rolled-back ones are pruned first. Default 5.') })
    .optional()
    .describe('Release retention.'),
  keepWarm: duration('How long the previous release keeps running after a good deploy.').optional(),
  drainTimeout: duration('Longest wait for in-flight requests on the old release.').optional(),
  guard: z
    .union([
      duration('Watch period after a deploy. Default from the bundle: production 30m, others 5m.'),
      z.strictObject({
        period: duration('Watch period after a deploy. Default from the bundle: production 30m, others 5m.').optional(),
        rollbackWhenCold: z.boolean().default(false).describe('Roll back on a breach even after the previous release stopped being warm (it is started again first); false: alert only.'),
      }),
    ])
    .optional()
    .describe('Post-deploy guard: keeps watching the live release after the deploy (docs/guard.md).'),
  notify: NotifySchema.optional(),
  canary: z
    .strictObject({
      steps: z
        .array(z.number().int().min(1).max(100))
        .min(1)
        .optional()
        .describe('Traffic percentages for the new release, increasing, ending at 100.'),
      interval: duration('Time spent at each step.').optional(),
      sticky: z.boolean().default(true).describe('Keep each client on one side through a cookie (true), or split per request (false).'),
    })
    .prefault({})
    .describe('Canary strategy settings.'),
  router: RouterSchema.optional(),
  ...platformSections(),
};

/** `docker:`, `railway:`, `kubernetes:`: each platform's own section, from the registry. */
function platformSections() {
  type Shape = { [K in keyof PlatformSections]: z.ZodOptional<z.ZodType> };
  const shape: Record<string, z.ZodType> = {};
  for (const p of PLATFORMS) if (p.section) shape[p.name] = p.section.schema.optional();
  return shape as Shape;
}

export const EnvironmentSchema = z.strictObject(SettingsShape).describe('Settings of one environment; they deep-merge over the top-level ones.');

export const ConfigSchema = z
  .strictObject({
    app: z
      .string({ error: 'expected the app name' })
      .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, { error: 'expected a name of letters, digits, ".", "_" or "-"' })
      .describe('Name of the app.'),
    ...SettingsShape,
    environments: z
      .record(z.string().regex(ENV_NAME_PATTERN, { error: ENV_NAME_MESSAGE }), EnvironmentSchema)
      .describe('The environments, by name.'),
  })
  .describe('deploy.config.yaml');

/** The config file as written (validated, no defaults filled in: environments merge over the top level first). */
export type RawConfig = z.input<typeof ConfigSchema>;
export type RawSettings = z.input<typeof EnvironmentSchema>;
/** One environment's merged settings with the schema's defaults. */
export type Settings = z.output<typeof EnvironmentSchema>;
export type { PlatformName };
export type RawSmokeCheck = z.infer<typeof SmokeCheckSchema>;
export type RawRequiredVar = z.infer<typeof RequiredVarSchema>;
export type RawMigrations = z.infer<typeof MigrationsSchema>;
