import { ExitCode, UserError } from '../errors.js';
import { importOptional } from './optional-module.js';
import type { PlatformDriver } from './types.js';

interface DriverModule {
  createDriver?: () => PlatformDriver | Promise<PlatformDriver>;
  default?: PlatformDriver | (() => PlatformDriver | Promise<PlatformDriver>);
}

const PLATFORM_NAME = /^[a-z][a-z0-9-]*$/;

/** Loads src/platforms/<name>/driver.ts on demand, so a run pays only for the platform it uses. */
export async function loadDriver(platform: string): Promise<PlatformDriver> {
  if (!PLATFORM_NAME.test(platform)) throw new UserError(`invalid platform name "${platform}"`);
  const mod = await importOptional<DriverModule>(new URL(`../platforms/${platform}/driver.js`, import.meta.url));
  if (!mod) throw new UserError(`platform ${platform} is not available yet`, ExitCode.usage);
  const factory = mod.createDriver ?? mod.default;
  if (!factory) throw new UserError(`platform ${platform} is not available yet (its driver exports no createDriver)`, ExitCode.usage);
  return typeof factory === 'function' ? await factory() : factory;
}
