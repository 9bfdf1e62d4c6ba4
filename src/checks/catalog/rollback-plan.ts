import { defineCheck } from '../spec.js';

export const rollbackPlan = defineCheck({
  name: 'rollback-plan',
  title: 'Rollback Plan',
  order: 60,
  docs: {
    passesWhen: 'the plan was written',
    figure: 'path and the exact rollback command',
    reads: 'state.json (or what the platform serves), the commit, the pending migrations; writes `rollback-plan.json` and `.md` (not under `--dry-run`)',
  },
  load: () => import('../rollback-plan.js'),
  build: (plan, findings, { writeRollbackPlan }) => {
    const config = plan.config;
    return {
      name: 'Rollback Plan',
      run: async (ctx) => {
        const [state, gitState, pending] = await Promise.all([ctx.state.read(), findings.git(ctx), findings.migrations(ctx)]);
        const active = state.active ? state.releases.find((r) => r.id === state.active!.release) : undefined;
        // Nothing deployed from here yet: the platform may still be serving a release (one made outside shipgate).
        const live = state.active ? null : await findings.liveRelease(ctx);
        const written = await writeRollbackPlan({
          stateDir: config.stateDir,
          projectRoot: config.projectRoot,
          environment: config.environment,
          platform: config.platform,
          strategy: config.strategy,
          current: state.active ? { id: state.active.release, version: active?.version ?? null, commit: active?.commit ?? null } : live,
          next: { id: null, version: await findings.projectVersion(gitState.commit), commit: gitState.commit },
          migrations: pending.pending,
          migrationTool: pending.tool,
          classified: pending.report?.files ?? null,
          keepWarmMs: config.keepWarmMs,
          persist: config.persist,
          dryRun: plan.dryRun,
        });
        findings.outputs.rollbackPlan = written;
        return written.result;
      },
    };
  },
});
