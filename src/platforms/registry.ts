import { ExitCode, UserError } from '../errors.js';
import { docker } from './docker/platform.js';
import { kubernetes } from './kubernetes/platform.js';
import { local } from './local/platform.js';
import { railway } from './railway/platform.js';
import type { PlatformSpec } from './spec.js';

/**
 * Every platform, one entry each. The core (schema, rules, resolve, plan, rollback plan, status, history) reads
 * this list and never names a platform; a new platform is its folder plus one line here.
 */
export const PLATFORMS = [local, docker, railway, kubernetes] as const;

export type PlatformName = (typeof PLATFORMS)[number]['name'];
export const PLATFORM_NAMES = PLATFORMS.map((p) => p.name) as [PlatformName, ...PlatformName[]];
export const DEFAULT_PLATFORM: PlatformName = 'local';

type Entry = (typeof PLATFORMS)[number];
type ResolvedOf<P> = P extends PlatformSpec<string, infer _Raw, infer Resolved> ? NonNullable<Resolved> : never;
/** `docker`, `railway`, ...: the config sections the platforms bring, with their resolved types (local has none). */
export type PlatformSections = { [P in Entry as ResolvedOf<P> extends never ? never : unknown extends ResolvedOf<P> ? never : P['name']]: ResolvedOf<P> };

export function platformSpec(name: string): PlatformSpec {
  const spec = PLATFORMS.find((p) => p.name === name) as PlatformSpec | undefined;
  if (!spec) throw new UserError(`platform ${name} is not available yet`, ExitCode.usage);
  return spec;
}

export function isPlatform(name: string): name is PlatformName {
  return PLATFORMS.some((p) => p.name === name);
}
