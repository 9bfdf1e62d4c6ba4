import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ExitCode, UserError } from '../errors.js';
import { importOptional } from './optional-module.js';
import type { PlatformDriver } from './types.js';

interface DriverModule {
  createDriver?: () => PlatformDriver | Promise<PlatformDriver>;
  default?: PlatformDriver | (() => PlatformDriver | Promise<PlatformDriver>);
  /** Optional: loads what deploy/rollback will import, while the orchestrator waits on the pre-checks. */
  preload?: () => Promise<unknown>;
}

const PLATFORM_NAME = /^[a-z][a-z0-9-]*$/;

/** src/platforms/<name>/driver.js once built; its source is driver.ts (what vitest runs). */
const driverUrl = (platform: string, extension = 'js') => new URL(`../platforms/${platform}/driver.${extension}`, import.meta.url);

/** Loads src/platforms/<name>/driver.ts on demand, so a run pays only for the platform it uses. */
export async function loadDriver(platform: string): Promise<PlatformDriver> {
  if (!PLATFORM_NAME.test(platform)) throw new UserError(`invalid platform name "${platform}"`);
  const mod = await importOptional<DriverModule>(driverUrl(platform));
  if (!mod) throw new UserError(`platform ${platform} is not available yet`, ExitCode.usage);
  const factory = mod.createDriver ?? mod.default;
  if (!factory) throw new UserError(`platform ${platform} is not available yet (its driver exports no createDriver)`, ExitCode.usage);
  return typeof factory === 'function' ? await factory() : factory;
}

/** The platform's driver module is installed (built, or as a source file under vitest), checked without loading it. */
export function driverAvailable(platform: string): boolean {
  if (!PLATFORM_NAME.test(platform)) return false;
  return existsSync(fileURLToPath(driverUrl(platform))) || existsSync(fileURLToPath(driverUrl(platform, 'ts')));
}

/**
 * Lets a driver load its heavy modules in the background (its optional `preload` export). Never fails: whatever
 * it could not load, the driver imports (and reports) when it runs.
 */
export async function preloadDriver(platform: string): Promise<void> {
  if (!PLATFORM_NAME.test(platform)) return;
  const mod = await importOptional<DriverModule>(driverUrl(platform)).catch(() => null);
  await mod?.preload?.().catch(() => undefined);
}
