import { assertEnvironmentName } from '../../config/env-name.js';
import { assertKnownEnvironment, loadConfig } from '../../config/resolve.js';
import { isInterrupted, readJournal } from '../../journal/journal.js';
import { StateStore } from '../../state/store.js';
import type { EnvironmentState } from '../../state/schema.js';
import { formatDuration } from '../../config/duration.js';
import type { RuntimeApp, RuntimeProcess, RuntimeView } from '../../platforms/local/runtime-status.js';
import { DEFAULT_PLATFORM, platformSpec } from '../../platforms/registry.js';
import { colorFor } from '../../summary/color.js';
import type { CliOptions } from '../options.js';
import { readGuardStatus, type GuardView } from './guard-status.js';
import { platformDetail } from './platform-status.js';
import { certificateViews, renderCertificates, type CertificateView } from './certificates-view.js';
import { readCertificateStatus } from '../../router/tls/certificate-status.js';

/** The JSON shape of `deploy status <env> --json` (docs/json-output.md). */
export interface StatusView {
  environment: string;
  url: string | null;
  deployed: boolean;
  active: { release: string; upstream: string | null; since: string; version: string | null; commit: string | null } | null;
  previous: { release: string; upstream: string | null; running: boolean } | null;
  releases: string[];
  lastDeploy: { ts: string; type: string; status: string; release: string | null } | null;
  /** The post-deploy guard, from the environment runtime; null when no runtime answers (docs/guard.md). */
  guard?: GuardView | null;
  /** A deploy or rollback whose orchestrator was killed; `deploy recover <env>` finishes it. Null when there is none. */
  interrupted: { kind: 'deploy' | 'rollback'; phase: string; startedAt: string; release: string | null } | null;
  /** What the platform reports itself (docker: container ids, images and states); absent on local. */
  platform?: string[];
  /**
   * Local platform: the active and previous releases as the runtime's supervisor reports them now (uptime, warm
   * until); null when no runtime answers (stopped, or it died). Absent on other platforms.
   */
  runtime?: RuntimeView | null;
  /**
   * With `router.tls`: each certificate the router serves, from the status file it writes (expiry, issuer, ACME
   * renewal). Absent without HTTPS; null when the file cannot be read (`certificatesError` says why).
   */
  certificates?: CertificateView[] | null;
  certificatesError?: string;
  /** Local platform: files the active release wrote inside its own directory that no `persist:` entry keeps (the next deploy stops on them). */
  dataWarning?: string | null;
}

/** Reads `.deploy/<env>/state.json`, the journal and the last history record; changes nothing, starts nothing. */
export async function statusCommand(options: CliOptions, environment?: string): Promise<number> {
  if (environment) assertEnvironmentName(environment);
  const { config, projectRoot } = await loadConfig(process.cwd(), { configPath: options.config });
  if (environment) assertKnownEnvironment(config, environment);
  const names = environment ? [environment] : Object.keys(config.environments);
  const views: StatusView[] = [];
  for (const name of names) {
    const store = new StateStore(projectRoot, name);
    const settings = { ...config, ...config.environments[name] };
    const configuredUrl = settings.url ?? (settings.port ? `http://localhost:${settings.port}` : null);
    const view = toView(name, await store.read(), configuredUrl, store.exists(), (await store.readHistory(1))[0]);
    // A killed run is only reported: recovery moves traffic, so it belongs to `deploy recover` (or the next deploy).
    const journal = await readJournal(store.dir);
    view.interrupted = isInterrupted(journal) ? { kind: journal.kind, phase: journal.phase, startedAt: journal.startedAt, release: journal.release } : null;
    view.guard = view.deployed ? await readGuardStatus(store.dir) : null;
    const runtimeStatus = platformSpec(settings.platform ?? DEFAULT_PLATFORM).runtimeStatus;
    if (view.deployed && runtimeStatus) {
      const { readRuntimeStatus } = await runtimeStatus();
      view.runtime = await readRuntimeStatus(store.dir, { active: view.active?.release ?? null, previous: view.previous?.release ?? null });
      // state.json's flag is what the last command saw; the supervisor knows what runs now.
      if (view.previous) view.previous.running = view.runtime?.previous?.up ?? false;
      const { releaseWritesWarning } = await import('../../checks/data-loss.js');
      view.dataWarning = await releaseWritesWarning(store.dir, view.active?.release ?? null, settings.persist ?? []);
    }
    await addCertificates(view, store.dir);
    const detail = view.deployed ? await platformDetail(process.cwd(), name, options.config).catch((error: unknown) => [`platform status unavailable: ${String((error as Error)?.message ?? error)}`]) : null;
    if (detail) view.platform = detail;
    views.push(view);
  }
  if (options.json) {
    process.stdout.write(JSON.stringify(environment ? views[0] : { environments: views }) + '\n');
    return 0;
  }
  const c = colorFor(process.stdout);
  for (const view of views) process.stdout.write(renderStatus(view, c) + '\n');
  return 0;
}

/** Read from the file the router writes beside its certificates; status never asks the router to look again. */
async function addCertificates(view: StatusView, stateDir: string): Promise<void> {
  try {
    const status = await readCertificateStatus(stateDir);
    if (status !== null) view.certificates = certificateViews(status, Date.now(), view.runtime === null);
  } catch (error) {
    view.certificates = null;
    view.certificatesError = error instanceof Error ? error.message : String(error);
  }
}

function toView(
  environment: string,
  state: EnvironmentState,
  configuredUrl: string | null,
  deployed: boolean,
  last: { ts: string; type: string; status: string; release?: { id: string } } | undefined,
): StatusView {
  const release = state.active ? state.releases.find((r) => r.id === state.active!.release) : undefined;
  return {
    environment,
    url: state.url ?? configuredUrl,
    deployed,
    active: state.active
      ? { release: state.active.release, upstream: state.active.upstream, since: state.active.since, version: release?.version ?? null, commit: release?.commit ?? null }
      : null,
    previous: state.previous ? { release: state.previous.release, upstream: state.previous.upstream, running: state.previous.running } : null,
    releases: state.releases.map((r) => r.id),
    lastDeploy: last ? { ts: last.ts, type: last.type, status: last.status, release: last.release?.id ?? null } : null,
    interrupted: null,
  };
}

function renderStatus(v: StatusView, c: ReturnType<typeof colorFor>): string {
  const lines = [`${c.bold(v.environment)}${v.url ? `  ${v.url}` : ''}`];
  if (!v.active) {
    lines.push(`  active:   ${v.deployed ? 'none' : 'never deployed'}`);
  } else {
    const what = [v.active.version, v.active.commit?.slice(0, 7)].filter(Boolean).join(', ');
    const running = v.runtime === undefined ? '' : `, ${runningText(v.runtime?.active ?? null, v.runtime === null)}`;
    lines.push(`  active:   ${v.active.release}${what ? ` (${what})` : ''}${v.active.upstream ? ` on ${v.active.upstream}` : ''} since ${v.active.since}${running}`);
  }
  if (v.previous) lines.push(`  previous: ${v.previous.release} (${v.runtime === undefined ? (v.previous.running ? 'warm' : 'stopped') : warmText(v.runtime?.previous ?? null)})`);
  if (v.runtime?.process) lines.push(`  runtime:  ${processText(v.runtime.process)}`);
  // Always safe: resume brings back what state.json says, never a deploy of HEAD or an older release.
  if (v.runtime === null && v.active) lines.push(`  runtime:  not running; nothing answers on the public port. \`deploy resume ${v.environment}\` brings back the router and ${v.active.release} (deploys nothing new)`);
  else if (v.active && v.runtime && !v.runtime.active?.up) lines.push(`  hint:     \`deploy resume ${v.environment}\` starts ${v.active.release} again (deploys nothing new)`);
  if (v.certificates) lines.push(...renderCertificates(v.certificates, c));
  if (v.certificatesError) lines.push(`  tls:      certificates unknown: ${v.certificatesError}`);
  if (v.dataWarning) lines.push(`  ${c.yellow('warning')}:  ${v.dataWarning}`);
  if (v.guard && v.guard.state !== 'none') lines.push(`  guard:    ${v.guard.line}`);
  for (const line of v.platform ?? []) lines.push(`  platform: ${line}`);
  if (v.lastDeploy) lines.push(`  last:     ${v.lastDeploy.type} ${v.lastDeploy.status} at ${v.lastDeploy.ts}`);
  if (v.interrupted) {
    const what = `${v.interrupted.kind}${v.interrupted.release ? ` of ${v.interrupted.release}` : ''}`;
    lines.push(`  interrupted: a ${what} was killed during ${v.interrupted.phase} (started ${v.interrupted.startedAt}); \`deploy recover ${v.environment}\` finishes it`);
  }
  return lines.join('\n');
}

function processText(p: RuntimeProcess): string {
  const keeper = p.keeperPid ? `keeper pid ${p.keeperPid}` : 'no keeper: a crash would close the port';
  const restarts = p.restarts ? `, restarted ${p.restarts} time${p.restarts === 1 ? '' : 's'} after a crash` : '';
  return `pid ${p.pid} listening on ${p.host}:${p.port} (${keeper}${restarts})`;
}

/** "up 4m 12s" from the supervisor, or why the release is not serving. */
function runningText(app: RuntimeApp | null, noRuntime: boolean): string {
  if (noRuntime) return 'not running';
  if (!app || !app.up) return `not running (${app?.state ?? 'absent'})`;
  const restarts = app.restarts ? `, ${app.restarts} restart${app.restarts === 1 ? '' : 's'}` : '';
  const pid = app.pid ? `, pid ${app.pid}` : '';
  return `${app.state === 'backoff' ? 'restarting after a crash' : 'up'} ${formatDuration(app.uptimeMs ?? 0)}${pid}${restarts}`;
}

function warmText(app: RuntimeApp | null): string {
  if (!app?.up) return 'stopped';
  return app.warmUntil ? `warm until ${app.warmUntil}` : 'warm';
}
