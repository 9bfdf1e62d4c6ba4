import { processEnv } from '../process-env.js';
import type { MigrationsInput, PendingSql } from './types.js';
import { firstExisting } from './detect.js';

const KNEXFILES = ['knexfile.js', 'knexfile.cjs'];

/**
 * knex prints no SQL before it runs. This script (node, on stdin, in the project) loads the project's own knex and
 * knexfile, runs each pending migration's `up` inside ONE transaction on a PostgreSQL connection with a query
 * listener, and rolls the transaction back: the database ends as it was (sequences aside). Short lock and statement
 * timeouts keep the trial from holding up the live release. Prints `{name: {sql} | {unclassified}}` as JSON.
 */
const TRIAL = String.raw`
const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');
const [knexfile, namesJson] = process.argv.slice(2);
const names = JSON.parse(namesJson);
const out = {};
const ROLLBACK = new Error('shipgate trial: rolled back');
(async () => {
  const projectRequire = createRequire(path.join(process.cwd(), 'package.json'));
  let config = require(path.resolve(knexfile));
  config = config && config.default ? config.default : config;
  if (typeof config === 'function') config = await config();
  const env = process.env.NODE_ENV || 'development';
  if (config[env]) config = config[env];
  const client = String(config.client || '');
  if (!['pg', 'postgres', 'postgresql', 'pgnative'].includes(client)) {
    for (const name of names) out[name] = { unclassified: 'knex client ' + (client || '(none)') + ': only PostgreSQL SQL is classified' };
    return;
  }
  const dirs = [].concat((config.migrations && config.migrations.directory) || './migrations');
  const db = projectRequire('knex')({ ...config, pool: { min: 0, max: 1 } });
  let current = null;
  let statements = [];
  db.on('query', (q) => { if (current) statements.push(db.client.positionBindings ? db.client.positionBindings(q.sql) : q.sql); });
  try {
    await db.transaction(async (trx) => {
      await trx.raw("SET LOCAL lock_timeout = '3s'");
      await trx.raw("SET LOCAL statement_timeout = '15s'");
      for (const name of names) {
        const file = dirs.map((d) => path.resolve(d, name)).find((f) => fs.existsSync(f));
        const mod = file ? require(file) : null;
        if (!mod || typeof mod.up !== 'function') { out[name] = { unclassified: 'no up() found for it' }; continue; }
        if (mod.config && mod.config.transaction === false) { out[name] = { unclassified: 'it runs outside a transaction, so it cannot be tried and rolled back' }; continue; }
        current = name;
        statements = [];
        try {
          await mod.up(trx);
        } catch (error) {
          out[name] = { unclassified: 'its trial run failed: ' + String(error && error.message).split('\n')[0] };
          for (const rest of names.slice(names.indexOf(name) + 1)) out[rest] = { unclassified: 'not tried: an earlier migration failed its trial run' };
          break;
        }
        current = null;
        out[name] = { sql: statements.join(';\n') };
      }
      throw ROLLBACK;
    });
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  } finally {
    await db.destroy();
  }
})().then(
  () => process.stdout.write(JSON.stringify(out)),
  (error) => { process.stderr.write(String(error && error.message).split('\n')[0] + '\n'); process.exit(1); },
);
`;

/** The SQL each pending knex migration runs, from a rolled-back trial; all unclassified (with the reason) when the trial cannot run. */
export async function knexPendingSql(input: MigrationsInput, pending: string[]): Promise<Record<string, PendingSql>> {
  if (pending.length === 0) return {};
  const all = (reason: string) => Object.fromEntries(pending.map((name) => [name, { unclassified: reason }]));
  const knexfile = await firstExisting(input.cwd, KNEXFILES);
  if (!knexfile) return all('knex prints no SQL, and only a knexfile.js or knexfile.cjs can be loaded for a trial run');
  const env: Record<string, string> = { ...processEnv(), ...input.env };
  if (input.database && !env.DATABASE_URL) env.DATABASE_URL = input.database;
  const result = await input.executor.run({ file: process.execPath, args: ['-', knexfile, JSON.stringify(pending)], input: TRIAL, cwd: input.cwd, env, mutates: false, timeoutMs: 60_000 });
  if (result.exitCode !== 0) return all(`its trial run failed: ${result.stderr.trim().split('\n')[0] ?? `exit ${result.exitCode}`}`);
  try {
    const found = JSON.parse(result.stdout) as Record<string, PendingSql>;
    return Object.fromEntries(pending.map((name) => [name, found[name] ?? { unclassified: 'the trial run did not reach it' }]));
  } catch {
    return all('its trial run printed no result');
  }
}
