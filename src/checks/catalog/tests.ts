import { defineCheck } from '../spec.js';

export const tests = defineCheck({
  name: 'tests',
  title: 'Tests',
  order: 10,
  docs: { passesWhen: 'the test command exits 0', figure: '`185/185 passing`', reads: '`tests:`, else package.json\'s test script (and runs it)' },
  cliSide: true,
  planText: (config) => `tests ${config.tests.skip ? 'skipped' : config.tests.command ? `\`${config.tests.command}\`` : 'npm test if defined'}`,
  load: () => import('../tests-passing.js'),
  build: (plan, findings, { checkTests }) => ({
    name: 'Tests',
    run: (ctx) =>
      checkTests({
        cwd: plan.config.projectRoot,
        command: plan.config.tests.skip ? false : (plan.config.tests.command ?? undefined),
        timeoutMs: plan.config.tests.timeoutMs,
        executor: ctx.executor,
        production: findings.production,
      }),
  }),
});
