/** What `deploy init` writes: every common key, commented, valid as it stands. Reference: docs/configuration.md. */
export function starterConfig(app: string): string {
  return `# deploy.config.yaml: how \`npx deploy <environment>\` ships this project.
# Every key is documented in docs/configuration.md of the shipgate package.
# Values may use \${VAR} from the environment or the env files below; they are never printed.

app: ${app}
platform: local              # local (this machine) | docker | railway | kubernetes

# Runs inside each new release directory (a clean copy of the commit). Optional.
# build: npm ci --omit=dev

# Starts ONE instance; PORT is set for it. The router owns the public port.
start: node server.js

health:
  path: /health              # must answer 2xx before any traffic moves
  timeout: 30s

tests: npm test              # pre-check; \`false\` skips it (refused for production)
migrations: auto             # auto | none | { tool: knex, ... }

env:
  required: []               # e.g. [DATABASE_URL, SESSION_SECRET]
  files: [".env.\${environment}"]

verify:                      # after the switch; any failure rolls back
  smoke: ["GET /"]
  errorRate: 1%
  p95: 500ms
  window: 30s
  minRequests: 200
  # database: \${DATABASE_URL}

environments:
  staging:
    port: 4001
  production:
    port: 4000
    requires: staging        # the same commit must be verified on staging first
    verify: { window: 5m }
`;
}
