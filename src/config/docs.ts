import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { parse } from 'yaml';
import { bundleDefaults } from '../bundle/defaults.js';
import { bundleDir, parseRecipes } from '../bundle/load.js';
import { ConfigSchema } from './schema.js';

/**
 * Generates docs/deploy.config.schema.json and docs/configuration.md from the one schema
 * (`npm run docs`); a test fails when the committed files differ from what this produces.
 */

type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  minimum?: number;
  maximum?: number;
  examples?: unknown[];
  propertyNames?: JsonSchema;
  [key: string]: unknown;
};

export function configJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(ConfigSchema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return { ...schema, $id: 'https://github.com/shipgate/shipgate/docs/deploy.config.schema.json', title: 'deploy.config.yaml' };
}

export function renderJsonSchema(): string {
  return JSON.stringify(configJsonSchema(), null, 2) + '\n';
}

interface Row {
  key: string;
  type: string;
  description: string;
}

export function renderConfigurationMarkdown(): string {
  const schema = configJsonSchema();
  const rows: Row[] = [];
  const bundle = bundleDefaults(parseRecipes(parse(readFileSync(join(bundleDir(), 'recipes.yaml'), 'utf8'))), 'staging');
  collect(schema, '', rows, schema.required ?? [], bundle);
  const table = ['| Key | Type | Description |', '| --- | --- | --- |', ...rows.map((r) => `| \`${r.key}\` | ${r.type} | ${escape(r.description)} |`)].join('\n');
  return `${INTRO}\n## Reference\n\nEvery key, generated from the schema. \`<env>\` stands for an environment name; under \`environments.<env>\` every top-level key except \`app\` and \`environments\` can be set again.\n\n${table}\n${OUTRO}`;
}

function collect(node: JsonSchema, path: string, rows: Row[], required: string[], bundle: Record<string, unknown>): void {
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    const full = path ? `${path}.${key}` : key;
    if (key === 'environments' && !path) {
      rows.push({ key: full, type: 'mapping', description: child.description ?? '' });
      const env = child.additionalProperties as JsonSchema;
      rows.push({ key: 'environments.<env>', type: 'mapping', description: `${env.description ?? ''} Names: lowercase letters, digits and "-", starting with a letter, at most 32 characters.` });
      continue;
    }
    const description = `${required.includes(key) ? '**Required.** ' : ''}${child.description ?? ''}${defaultNote(child)}${bundleNote(bundle, full)}`;
    rows.push({ key: full, type: typeName(child), description });
    if (child.type === 'object' && child.properties) collect(child, full, rows, child.required ?? [], bundle);
  }
}

/** The schema's own default (`.default()`), the one source of it; mappings filled field by field say nothing. */
function defaultNote(node: JsonSchema): string {
  if (node.default === undefined || (typeof node.default === 'object' && node.default !== null && !Array.isArray(node.default))) return '';
  const value = typeof node.default === 'string' ? node.default : JSON.stringify(node.default);
  return ` Default: ${value}.`;
}

/** A default the deployment-recipes bundle gives (recipes.yaml, the one place to change it); the guard's is per environment. */
function bundleNote(bundle: Record<string, unknown>, path: string): string {
  if (path === 'guard' || path === 'requires' || path === 'maxAge') return '';
  const value = path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), bundle);
  if (value === undefined || (typeof value === 'object' && value !== null && !Array.isArray(value))) return '';
  return ` Default: ${typeof value === 'string' ? value : JSON.stringify(value)} (deployment-recipes bundle).`;
}

function typeName(node: JsonSchema): string {
  if (node.anyOf) return node.anyOf.map(typeName).join(' or ');
  if (node.const !== undefined) return `\`${JSON.stringify(node.const)}\``;
  if (node.enum) return node.enum.map((v) => `\`${String(v)}\``).join(', ');
  if (node.type === 'array') return `list of ${node.items ? typeName(node.items) : 'values'}`;
  if (node.type === 'object') return 'mapping';
  if (node.type === 'integer') return bounds('integer', node);
  if (node.type === 'number') return bounds('number', node);
  if (node.type === 'boolean') return 'boolean';
  if (node.type === 'string') {
    if (node.pattern?.includes('ms|s|m|h|d')) return 'duration';
    if (node.pattern?.includes('%')) return 'percentage';
    return 'string';
  }
  return 'value';
}

function bounds(name: string, node: JsonSchema): string {
  const safe = (n: number | undefined) => n !== undefined && Math.abs(n) < Number.MAX_SAFE_INTEGER;
  if (safe(node.minimum) && safe(node.maximum)) return `${name} ${node.minimum}–${node.maximum}`;
  if (safe(node.minimum)) return `${name} ≥ ${node.minimum}`;
  return name;
}

function escape(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\n/g, ' ');
}

const INTRO = `# Configuration

<!-- Generated by \`npm run docs\` from src/config/schema.ts. Do not edit by hand: a test compares it. -->

\`deploy\` reads \`deploy.config.yaml\` (or \`deploy.config.yml\`, or \`deploy.config.json\`) from the current folder or the nearest parent that has one; that folder is the project root. \`--config <path>\` names the file instead. \`deploy init\` writes a commented starter. The JSON Schema is in [deploy.config.schema.json](deploy.config.schema.json); point your editor's YAML plug-in at it.

\`\`\`yaml
app: shop
platform: local            # local | docker | railway | kubernetes
build: npm ci --omit=dev   # optional; runs in the release directory
start: node server.js      # local platform: starts one instance; PORT is set for it
health: { path: /health, timeout: 30s }
tests: npm test            # pre-check; \`false\` skips it (refused for production)
migrations: auto           # auto | none | { tool: ..., ... }
env: { required: [DATABASE_URL, SESSION_SECRET], files: [".env.\${environment}"] }
verify:
  smoke: ["GET /", { path: /api/items, status: 200 }]
  errorRate: 1%
  p95: 500ms
  window: 30s
  minRequests: 200
  database: \${DATABASE_URL}
environments:
  staging:    { port: 4001 }
  production: { port: 4000, requires: staging, verify: { window: 5m } }
\`\`\`

## How a value is found

For \`deploy <env>\`, each setting comes from the first of:

1. the \`--strategy\` flag (for \`strategy\` only);
2. \`environments.<env>\` in the config;
3. the top level of the config;
4. the defaults of the deployment-recipes bundle (\`bundles/deployment-recipes/recipes.yaml\`: the strategy, health, thresholds, canary steps, retention, guard periods, and \`requires: staging\` for production when the project has a staging environment), then the schema's own defaults. The reference below gives each default and where it comes from; changing one in \`recipes.yaml\` changes it everywhere.

Mappings merge key by key (deep merge); lists and plain values replace. So \`production: { verify: { window: 5m } }\` keeps the top-level \`verify.p95\`.

## Values

- **Durations** are \`500ms\`, \`30s\`, \`5m\`, \`2h\`, \`7d\` or compounds like \`1m30s\`. Anything over 30 days is refused.
- **Percentages** are strings like \`1%\` or \`0.5%\`, at most \`100%\`.
- **Environment names** are lowercase letters, digits and \`-\`, start with a letter and have at most 32 characters. Command names (\`status\`, \`history\`, \`rollback\`, \`init\`, \`unlock\`, \`stop\`, ...) are refused.
- **Unknown keys** are errors, so a typo never silently does nothing.

## Interpolation and secrets

Any string may contain \`\${NAME}\`. The value comes from the process environment, or else from the env files listed in \`env.files\` (dotenv format: \`KEY=value\`, quotes, \`export\`, \`#\` comments; later files win). \`\${environment}\` and \`\${app}\` are built in; \`\${commit}\` and \`\${release}\` stay as written and are filled in by the platform when the run starts (image tags on railway and kubernetes); \`$\${\` writes a literal \`\${\`. Interpolation happens for the environment being deployed only, after merging, and applies to strings: numbers such as \`port\` must be written out.

Interpolated values and env-file values are secrets: they are never printed, never written to history, \`--json\` or logs, and error messages name the key, never the value. A name that is not set becomes an empty string and is listed for the environment-variables pre-check.

## Errors

Every problem is reported at once, one line each, with its path:

\`\`\`
deploy: deploy.config.yaml: environments.production.verify.p95: expected a duration like "500ms"
deploy: deploy.config.yaml: verify.smoke[1].path: must start with "/"
deploy: deploy.config.yaml: environments.staging.prot: unknown key
\`\`\`

and the exit code is 2. An unknown environment gives one line listing the known ones, also exit 2, and nothing is created.
`;

const OUTRO = `
## Rules checked after the schema

- \`requires\` names another environment of the file.
- \`tests: false\` is refused for \`production\`.
- \`canary.steps\` increase and end at 100.
- \`env.files\` stay inside the project.
- A platform's required settings are set (local: \`start\` and \`port\`; docker: \`port\`); two environments cannot share a port.
- The \`strategy\` is one the platform can run (Railway switches whole deployments only: \`canary\` is refused there).
- The platform's own section passes its rules (\`railway\`, \`kubernetes\`).
`;
