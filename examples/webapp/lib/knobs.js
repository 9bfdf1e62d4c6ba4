import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Defaults: a healthy release. knobs.json (committed with the app) overrides them. */
export const defaultKnobs = Object.freeze({
  errorRate: 0,
  latencyMs: 0,
  crashOnStart: false,
  failHealth: false,
  failAfterMs: 0,
  dbFailAfterMs: 0,
  dbFailAfterRequests: 0,
  lostRoutes: false,
});

const defaultFile = fileURLToPath(new URL('../knobs.json', import.meta.url));

/** Reads the knobs once at start. A release's behaviour is fixed by the commit it was built from. */
export function loadKnobs(file = process.env.KNOBS_FILE || defaultFile) {
  let raw = {};
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    if (error.code !== 'ENOENT') throw new Error(`knobs file ${file}: ${error.message}`);
  }
  return validateKnobs(raw);
}

export function validateKnobs(raw) {
  const knobs = { ...defaultKnobs };
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in defaultKnobs)) throw new Error(`knobs.${key}: unknown knob (known: ${Object.keys(defaultKnobs).join(', ')})`);
    if (typeof value !== typeof defaultKnobs[key]) throw new Error(`knobs.${key}: expected a ${typeof defaultKnobs[key]}`);
    knobs[key] = value;
  }
  if (knobs.errorRate < 0 || knobs.errorRate > 1) throw new Error('knobs.errorRate: expected a fraction between 0 and 1');
  for (const key of ['latencyMs', 'failAfterMs', 'dbFailAfterMs', 'dbFailAfterRequests']) {
    if (knobs[key] < 0) throw new Error(`knobs.${key}: expected a number >= 0`);
  }
  return knobs;
}
