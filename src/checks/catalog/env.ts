import { defineCheck } from '../spec.js';

export const env = defineCheck({
  name: 'env',
  title: 'Env Vars',
  order: 30,
  docs: { passesWhen: 'every required variable is set and well-formed', figure: '`all configured (2 required)`', reads: '`env.required`, `env.files`, the process environment' },
  load: () => import('../env-vars.js'),
  build: (plan, findings, { checkEnvVars }) => ({
    name: 'Env Vars',
    run: async () => {
      const checked = checkEnvVars({ required: plan.config.env.required, values: plan.config.env.values });
      findings.outputs.envValues = checked.resolved;
      return checked.result;
    },
  }),
});
