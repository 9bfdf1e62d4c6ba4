import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/** Our package.json's version, read without importing JSON machinery. */
export function readPackageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version || '0.0.0';
  } catch {
    return '0.0.0';
  }
}
