import { defineCheck } from '../spec.js';

export const migrations = defineCheck({
  name: 'migrations',
  title: 'Migrations',
  order: 20,
  docs: {
    passesWhen: 'the database is reachable, the tool reports its pending migrations, and none is a contract migration while a release is live',
    figure: '`3 pending, ready to apply: …`; a contract migration fails with exit 3 naming the file, the statement and the expand/contract recipe (`--allow-contract`: a warning)',
    reads: '`migrations:`, the migration files, the database (read only)',
  },
  build: (_plan, findings) => ({ name: 'Migrations', run: async (ctx) => (await findings.migrations(ctx)).result }),
});
