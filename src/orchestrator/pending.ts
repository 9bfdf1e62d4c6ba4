import { existsSync } from 'node:fs';
import { spawnOrchestrator, type OrchestratorProcess } from '../exec/spawn-orchestrator.js';
import { builtFile } from '../package-root.js';

/**
 * An orchestrator started before its plan exists. The child loads its modules while the CLI
 * resolves the config, so the run starts sooner; it does nothing until `runInChild` sends `start`.
 * `cancel()` ends it when the CLI stops before running anything (config error, declined prompt).
 */
export interface PendingOrchestrator {
  readonly child: Promise<OrchestratorProcess>;
  cancel(): void;
}

/** Spawns the orchestrator child now, with this process's environment; the child moves to the plan's project root on `start`. */
export async function startOrchestrator(options: { env?: NodeJS.ProcessEnv } = {}): Promise<PendingOrchestrator> {
  const child = (async () => spawnOrchestrator(childScriptPath(), { env: options.env }))();
  // A failed spawn is reported where it was before: runInChild rethrows it.
  await child.catch(() => undefined);
  return { child, cancel: () => void child.then((c) => c.kill('SIGTERM'), () => undefined) };
}

/** The bundled child script of this build (dist/bin/, scripts/bundle.mjs), also when the CLI runs from sources (tests). */
export function childScriptPath(): string {
  const built = builtFile('orchestrator');
  if (existsSync(built)) return built;
  throw new Error('orchestrator child script not found; run `npm run build`');
}

let early: Promise<PendingOrchestrator> | null = null;

/**
 * Starts the orchestrator as the CLI's first act, for a command that will run one (deploy, rollback, stop): its
 * ~0.3 s of start-up then overlaps the CLI's own module loading and config reading. The command takes it with
 * `takeOrchestrator`; when the CLI exits without running it (help, a usage error), the closed IPC channel ends it.
 */
export function startOrchestratorEarly(): void {
  early ??= startOrchestrator();
  early.catch(() => undefined);
}

/** The orchestrator started early, or a new one. */
export function takeOrchestrator(): Promise<PendingOrchestrator> {
  const taken = early ?? startOrchestrator();
  early = null;
  return taken;
}
