import { defineCheck } from '../spec.js';

/** Taken by the orchestrator itself before the other checks run (src/orchestrator/run.ts, src/lock/): nothing to build. */
export const lock = defineCheck({
  name: 'lock',
  title: 'Deploy Lock',
  order: 80,
  docs: { passesWhen: 'no live process holds the environment\'s lock', figure: 'a warning when a dead holder\'s lock was taken over', reads: '`.deploy/<env>/lock` (and takes it)' },
  beforeRollback: true,
});
