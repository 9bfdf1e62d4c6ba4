import { defineCheck } from '../spec.js';

export const hooks = defineCheck({
  name: 'hooks',
  title: 'Pre-deploy Hook',
  order: 70,
  docs: { passesWhen: '(when `.deploy/hooks/pre-deploy` exists) the hook exits 0', figure: '`passed`', reads: '`.deploy/hooks/pre-deploy` (and runs it; not under `--dry-run`)' },
  load: () => import('../hooks.js'),
  build: async (plan, findings, { checkPreDeployHook, hookExists }) => {
    const config = plan.config;
    if (!(await hookExists(config.projectRoot, 'pre-deploy'))) return null;
    return {
      name: 'Pre-deploy Hook',
      run: async (ctx) => {
        const commit = (await findings.git(ctx)).commit;
        return checkPreDeployHook({
          projectRoot: config.projectRoot,
          executor: ctx.executor,
          context: { environment: config.environment, release: '', version: await findings.projectVersion(commit), commit, url: config.url, status: 'pending' },
        });
      },
    };
  },
});
