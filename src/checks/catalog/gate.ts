import { defineCheck } from '../spec.js';

export const gate = defineCheck({
  name: 'gate',
  title: 'Staging Verified',
  order: 50,
  docs: {
    passesWhen: '(environments with `requires:`) the same commit was deployed **and verified** there within `maxAge`',
    figure: '`commit abc1234 verified on staging 2h ago`',
    reads: '`requires:`, `maxAge`, the required environment\'s `history.jsonl`',
  },
  cliSide: true,
  load: () => import('../production-gate.js'),
  build: (plan, findings, { checkProductionGate }) => {
    const { config, options } = plan;
    const requires = config.requires;
    if (!requires) return null;
    return {
      name: 'Staging Verified',
      run: async (ctx) => {
        const commit = (await findings.git(ctx)).commit;
        const gate = await checkProductionGate({
          // The required environment's history, fetched from its servers when it runs on some (src/remote/).
          projectRoot: options.gateHistoryRoot ?? config.projectRoot,
          requires,
          maxAgeMs: config.maxAgeMs,
          release: { commit, contentHash: commit ? null : await findings.workingTreeHash() },
          force: options.forceUnverified ? { reason: options.reason ?? undefined } : null,
        });
        findings.outputs.gate = gate;
        return gate.result;
      },
    };
  },
});
