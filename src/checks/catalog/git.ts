import { defineCheck } from '../spec.js';

export const git = defineCheck({
  name: 'git',
  title: 'Git',
  order: 40,
  docs: { passesWhen: 'always, except a dirty tree for production', figure: '`commit abc1234, clean`', reads: 'the repository: the commit (`--ref`) and whether the tree is clean' },
  cliSide: true,
  build: (_plan, findings) => ({ name: 'Git', run: async (ctx) => (await findings.git(ctx)).result }),
});
