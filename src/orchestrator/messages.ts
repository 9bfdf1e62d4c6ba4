import * as z from 'zod';

/**
 * The IPC protocol between the CLI (parent) and the orchestrator (child). Both sides validate
 * every message; anything else on the channel is a bug and ends the run with exit 4.
 */

const PreCheckResultSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  detail: z.string(),
  warning: z.boolean().optional(),
  exitCode: z.number().int().optional(),
});

const PostCheckResultSchema = z.object({ name: z.string(), ok: z.boolean(), value: z.string(), threshold: z.string(), inconclusive: z.boolean().optional() });

const VerificationReportSchema = z.object({
  outcome: z.enum(['pass', 'fail', 'inconclusive']),
  decision: z.enum(['pass', 'fail', 'inconclusive: rollback', 'inconclusive: hold', 'inconclusive: promote']),
  samples: z.object({ candidate: z.number(), baseline: z.number().nullable(), required: z.number() }),
  baseline: z.string().nullable(),
  decidedAtMs: z.number(),
  early: z.boolean(),
  extendedMs: z.number(),
});

const ReleaseDiffSchema = z.object({
  kind: z.enum(['first', 'diff', 'unknown']),
  from: z.object({ release: z.string(), commit: z.string().nullable() }).nullable(),
  to: z.string().nullable(),
  reason: z.string().optional(),
  commits: z.object({ count: z.number(), first: z.array(z.object({ commit: z.string(), subject: z.string() })), removed: z.number() }).optional(),
  migrations: z.array(z.string()).optional(),
  dependencies: z
    .object({
      lockfiles: z.array(z.string()),
      added: z.array(z.object({ name: z.string(), version: z.string() })),
      removed: z.array(z.object({ name: z.string(), version: z.string() })),
      changed: z.array(z.object({ name: z.string(), from: z.string(), to: z.string() })),
      transitive: z.number(),
    })
    .optional(),
});

const MigrationsReportSchema = z.object({
  tool: z.string(),
  files: z
    .array(
      z.object({
        name: z.string(),
        state: z.enum(['pending', 'applied', 'failed']),
        kind: z.enum(['expand', 'contract', 'unclassified']),
        statement: z.string().optional(),
        reason: z.string().optional(),
      }),
    )
    .nullable(),
  errors: z.array(z.string()).optional(),
  contractAllowed: z.boolean().optional(),
  rollbackSchemaSafe: z.boolean().nullable().optional(),
});

export const DeploySummarySchema = z.object({
  status: z.enum(['success', 'rolled_back', 'failed', 'blocked']),
  environment: z.string(),
  strategy: z.string(),
  platform: z.string(),
  url: z.string(),
  dryRun: z.boolean(),
  release: z.object({ id: z.string(), version: z.string(), commit: z.string().nullable() }),
  checks: z.object({ pre: z.array(PreCheckResultSchema), post: z.array(PostCheckResultSchema) }),
  rollback: z.object({ performed: z.boolean(), reason: z.string().nullable(), command: z.string(), verified: z.boolean().optional() }),
  durationMs: z.number(),
  exitCode: z.number().int().min(0).max(5),
  message: z.string().optional(),
  logTail: z.array(z.string()).optional(),
  rollbackPlanPath: z.string().optional(),
  verification: VerificationReportSchema.optional(),
  shipped: ReleaseDiffSchema.optional(),
  steps: z.array(z.any()).optional(),
  plan: z.object({ steps: z.array(z.string()), manifests: z.array(z.string()).optional() }).optional(),
  executed: z.array(z.string()).optional(),
  migrations: MigrationsReportSchema.optional(),
});

/** The plan is built and typed by the parent; the child checks the envelope and the fields it relies on. */
const PlanEnvelopeSchema = z.looseObject({
  schemaVersion: z.literal(1),
  kind: z.enum(['deploy', 'rollback', 'stop']),
  environment: z.string(),
  platform: z.string(),
  dryRun: z.boolean(),
  deadlineMs: z.number().positive(),
  steps: z.array(z.looseObject({ id: z.string(), text: z.string() })),
  preChecks: z.array(z.string()),
  options: z.looseObject({ lockWaitMs: z.number().min(0), to: z.string().nullable() }),
  config: z.looseObject({ environment: z.string(), projectRoot: z.string(), stateDir: z.string(), secrets: z.array(z.string()) }),
});

export const ParentMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), plan: PlanEnvelopeSchema }),
  z.object({ type: z.literal('abort'), reason: z.string() }),
]);

export const PhaseStateSchema = z.enum(['start', 'ok', 'fail', 'warn', 'skip', 'info']);

export const ProgressEventSchema = z.object({
  phase: z.string().min(1),
  state: PhaseStateSchema,
  message: z.string(),
  /** A finished pre-check, so the parent knows it even if the child dies later. */
  check: PreCheckResultSchema.optional(),
});

export const ChildMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), event: ProgressEventSchema }),
  z.object({ type: z.literal('result'), summary: DeploySummarySchema }),
]);

export type ParentMessage = z.infer<typeof ParentMessageSchema>;
export type ChildMessage = z.infer<typeof ChildMessageSchema>;
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
export type PhaseState = z.infer<typeof PhaseStateSchema>;
