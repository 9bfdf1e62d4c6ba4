import * as z from 'zod';
import { DURATION_MESSAGE, isDuration, parseDuration } from '../../config/duration.js';
import type { ConfigProblem } from '../../config/issues.js';

const duration = (description: string) => z.string().refine(isDuration, { error: DURATION_MESSAGE }).describe(description);

/** `railway:` block (platform: railway). Owned by the Railway platform; see docs/platforms/railway.md. */
export const RailwaySchema = z
  .strictObject({
    project: z.string().min(1).optional().describe('Railway project id (Project settings > General). Required.'),
    service: z.string().min(1).optional().describe('Railway service id or name in that project. Required.'),
    environment: z
      .string()
      .min(1)
      .optional()
      .describe('Railway environment (id or name) this environment deploys to. Default: the environment\'s own name, e.g. "staging".'),
    source: z.literal('upload').optional().describe('Deploy the working tree as a tar (honours .gitignore and .railwayignore). The default when `image` is not set.'),
    image: z
      .string()
      .min(1)
      .optional()
      .describe('Deploy this image instead of uploading, e.g. "ghcr.io/acme/app:${commit}" (`${commit}` becomes the deployed commit).'),
    deadline: duration('Longest wait for a deployment (build + deploy) to reach a final state.').default('15m'),
    pollInterval: duration('Time between deployment status polls.').default('5s'),
    setHealthcheck: z
      .boolean()
      .default(true)
      .describe('When the service has no healthcheckPath, set it to health.path through the API before deploying; false makes the pre-check fail instead.'),
    overlap: duration('overlapSeconds we set on the service: how long the old deployment keeps serving after the new one is live.').optional(),
    draining: duration('drainingSeconds we set on the service: time between SIGTERM and SIGKILL for the old deployment.').optional(),
  })
  .describe('Railway platform settings (platform: railway). The token comes from RAILWAY_TOKEN (project token) or RAILWAY_API_TOKEN (account/workspace token).');

export type RawRailway = z.input<typeof RailwaySchema>;

export interface RailwaySettings {
  project: string | null;
  service: string | null;
  /** Railway environment id or name; null means the environment's own name. */
  environment: string | null;
  source: 'upload' | 'image';
  /** Image reference, `${commit}` not yet substituted; null for uploads. */
  image: string | null;
  deadlineMs: number;
  pollIntervalMs: number;
  setHealthcheck: boolean;
  overlapSeconds: number | null;
  drainingSeconds: number | null;
}

/** The `railway:` section with the schema's defaults (the one place they live). */
export function resolveRailway(raw: RawRailway | undefined): RailwaySettings {
  const r = RailwaySchema.parse(raw ?? {});
  const seconds = (text: string | undefined) => (text === undefined ? null : Math.round(parseDuration(text)! / 1000));
  return {
    project: r.project ?? null,
    service: r.service ?? null,
    environment: r.environment ?? null,
    source: r.image ? 'image' : 'upload',
    image: r.image ?? null,
    deadlineMs: parseDuration(r.deadline)!,
    pollIntervalMs: parseDuration(r.pollInterval)!,
    setHealthcheck: r.setHealthcheck,
    overlapSeconds: seconds(r.overlap),
    drainingSeconds: seconds(r.draining),
  };
}

/** Cross-field rules for one environment with platform: railway (`at` builds the failing path). */
export function railwayProblems(raw: RawRailway | undefined, at: (key: string) => string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!raw?.project) problems.push({ path: at('project'), message: 'required for the railway platform (the Railway project id)' });
  if (!raw?.service) problems.push({ path: at('service'), message: 'required for the railway platform (the Railway service id or name)' });
  if (raw?.source && raw.image) problems.push({ path: at('image'), message: 'set either source: upload or image, not both' });
  return problems;
}
