import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BASE = `app: shop
start: node server.js
verify:
  p95: 400ms
  errorRate: 2%
environments:
  staging: { port: 4001 }
  production: { port: 4000, verify: { window: 5m } }
`;

export function project(config: string, files: Record<string, string> = {}, name = 'deploy.config.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgate-config-'));
  writeFileSync(join(dir, name), config);
  for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), content);
  return dir;
}

/** Runs a promise expected to fail and returns the error's lines and exit code. */
export async function failure(promise: Promise<unknown>): Promise<{ lines: string[]; exitCode: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & { exitCode: number };
    return { lines: e.message.split('\n'), exitCode: e.exitCode };
  }
  throw new Error('expected a failure');
}
