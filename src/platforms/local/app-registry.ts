import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../../state/atomic-write.js';
import type { AdoptableApp } from './supervisor.js';

/** `<stateDir>/apps.json`: the live apps (ids, pids and which processes they name, ports; never their environment), for a runtime that restarts. */
export function appsFile(stateDir: string): string {
  return join(stateDir, 'apps.json');
}

export function readAdoptable(stateDir: string): AdoptableApp[] {
  try {
    const data = JSON.parse(readFileSync(appsFile(stateDir), 'utf8')) as unknown;
    return Array.isArray(data) ? (data.filter(isAdoptable) as AdoptableApp[]) : [];
  } catch {
    return [];
  }
}

export async function writeAdoptable(stateDir: string, apps: AdoptableApp[]): Promise<void> {
  await writeJsonAtomic(appsFile(stateDir), apps, 0o600);
}

function isAdoptable(value: unknown): boolean {
  const v = value as Partial<AdoptableApp> | null;
  return Boolean(v && typeof v.id === 'string' && Number.isInteger(v.pid) && (v.pid as number) > 1 && Number.isInteger(v.port) && typeof v.url === 'string' && (v.identity === undefined || typeof v.identity === 'string'));
}
