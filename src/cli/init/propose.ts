import type { StarterInput } from '../starter-config.js';
import { trialStart } from './health-probe.js';
import { proposePorts } from './free-ports.js';
import { persistCandidates } from './persist-candidates.js';
import { readProjectFacts } from './project-facts.js';
import { servedRoutes, type ServedRoutes } from './served-routes.js';

export interface Proposal {
  input: StarterInput;
  /** What was found, for the person running `deploy init`. */
  lines: string[];
  report: { start: string | null; healthPath: string | null; tests: boolean; persist: string[]; smoke: string[] };
}

/** Reads the project and, when it knows how the app starts, starts it once to find a health path that answers. */
export async function proposeStarter(cwd: string, app: string, options: { probe: boolean }): Promise<Proposal> {
  const facts = await readProjectFacts(cwd);
  const persist = await persistCandidates(cwd);
  const trial = facts.start && options.probe ? await trialStart(cwd, facts.start) : null;
  const ports = await proposePorts();
  const served = await servedRoutes(cwd);
  const lines: string[] = [];
  if (facts.start) lines.push(`start: ${facts.start} (${facts.startFrom})`);
  else lines.push('start: nothing in package.json says how the app starts; edit the start line');
  if (trial) lines.push(trial.path ? `health: trial start answered 2xx on ${trial.path}` : `health: trial start ${trial.problem ?? 'found no path answering 2xx'}; using /`);
  if (!facts.hasTestScript) lines.push('tests: no test script in package.json; the tests line is left out');
  if (persist.length) lines.push(`persist: ${persist.join(', ')} (data the app writes, kept across releases)`);
  const smoke = smokeLine(served);
  if (smoke) lines.push(smoke);
  if (ports.staging !== 4001 || ports.production !== 4000) lines.push(`ports: 4000/4001 are in use here; proposing ${ports.staging} (staging) and ${ports.production} (production)`);
  return {
    input: { app, facts, trial, persist, ports, smoke: served.smoke },
    lines,
    report: { start: facts.start, healthPath: trial?.path ?? null, tests: facts.hasTestScript, persist, smoke: served.smoke },
  };
}

/** What `deploy init` says about the smoke checks it took from the router's access logs; null when it found none. */
export function smokeLine(served: ServedRoutes): string | null {
  if (served.logs.length === 0) return null;
  if (served.smoke.length === 0) return `smoke: no GET path answered 2xx more than once in ${served.logs.join(', ')}; using GET /`;
  const skipped = served.skipped.length ? `; id-like paths left out (${served.skipped.join(', ')})` : '';
  return `smoke: ${served.smoke.join(', ')} (the most-served 2xx GETs of ${served.requests} in ${served.logs.join(', ')}${skipped})`;
}
