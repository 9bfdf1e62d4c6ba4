import { ExitCode, UserError } from '../errors.js';
import { isPlatform, platformSpec } from '../platforms/registry.js';
import type { PlatformDriver } from './types.js';

/** Loads the platform's driver (its registry entry's `driver()`), so a run pays only for the platform it uses. */
export async function loadDriver(platform: string): Promise<PlatformDriver> {
  const mod = await platformSpec(platform).driver();
  const factory = mod.createDriver ?? mod.default;
  if (!factory) throw new UserError(`platform ${platform} is not available yet (its driver exports no createDriver)`, ExitCode.usage);
  return typeof factory === 'function' ? await factory() : factory;
}

/** The platform is in the registry, checked without loading its driver. */
export function driverAvailable(platform: string): boolean {
  return isPlatform(platform);
}

/**
 * Lets a driver load its heavy modules in the background (its optional `preload` export). Never fails: whatever
 * it could not load, the driver imports (and reports) when it runs.
 */
export async function preloadDriver(platform: string): Promise<void> {
  if (!isPlatform(platform)) return;
  const mod = await platformSpec(platform).driver().catch(() => null);
  await mod?.preload?.().catch(() => undefined);
}
