export { resolveEnvironment, loadConfig, assertKnownEnvironment, type ResolveOptions, type LoadedConfig } from './resolve.js';
export type { ResolvedEnvironment, SmokeCheck, RequiredVar } from './types.js';
export { parseDuration, formatDuration } from './duration.js';
export { parsePercent, formatPercent } from './percent.js';
export { ConfigError } from './errors.js';
