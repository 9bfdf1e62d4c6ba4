/**
 * Real Docker Engine for tests. `dockerEngine()` answers whether an engine is
 * usable (starting one with scripts/start-dockerd.sh when it is installed but
 * not running). Without one, tests skip LOUDLY and the run ends naming them (tests/setup/skipped-reporter.ts);
 * with SHIPGATE_REQUIRE_DOCKER=1 (set by .ci/run) or CI=true they fail instead.
 * Images are built locally from a FROM-scratch node base (no registry here).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { recordSkipReason } from './skip-reasons.js';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const fixtures = join(repoRoot, 'tests/platforms/docker/fixtures');

export interface EngineStatus {
  ok: boolean;
  reason: string;
  /** "bridge" when containers can publish ports on 127.0.0.1; "host" when the engine runs without a bridge. */
  network: 'bridge' | 'host';
  /** DOCKER_HOST of the engine under test, when set. */
  host?: string;
}

let cached: Promise<EngineStatus> | undefined;

/** Call it from a test file's top level: a missing engine is recorded as the reason that file's tests skip. */
export async function dockerEngine(): Promise<EngineStatus> {
  cached ??= probe();
  const status = await cached;
  if (!status.ok) recordSkipReason(status.reason);
  return status;
}

/** .ci/run sets SHIPGATE_REQUIRE_DOCKER=1: there, a test that would skip for want of Docker (or sshd) fails. */
export function dockerRequired(): boolean {
  return process.env.SHIPGATE_REQUIRE_DOCKER === '1' || process.env.CI === 'true';
}

async function probe(): Promise<EngineStatus> {
  const answers = async () => run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 }).then(() => true, () => false);
  if (!(await answers())) {
    try {
      await run('bash', [join(repoRoot, 'scripts/start-dockerd.sh')], {
        timeout: 90_000,
        env: { ...process.env, SHIPGATE_DOCKERD_NO_INSTALL: '1' },
      });
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error).trim().split('\n').at(-1);
      return fail(`no Docker Engine: ${stderr}`);
    }
    if (!(await answers())) return fail('no Docker Engine answers after scripts/start-dockerd.sh');
  }
  const { stdout } = await run('docker', ['network', 'ls', '--format', '{{.Name}}']);
  const network = stdout.split('\n').includes('bridge') ? 'bridge' : 'host';
  return { ok: true, reason: '', network, host: process.env.DOCKER_HOST };
}

function fail(reason: string): EngineStatus {
  if (dockerRequired()) throw new Error(`Docker tests must run here (SHIPGATE_REQUIRE_DOCKER=1 or CI=true), but ${reason}`);
  console.warn(`\n!!! SKIPPING DOCKER TESTS: ${reason}. Run scripts/start-dockerd.sh (as root) to enable them. !!!\n`);
  return { ok: false, reason, network: 'bridge' };
}

/** Tag of the local FROM-scratch node base image, built once and cached by tag. */
let base: Promise<string> | undefined;
export function baseImage(): Promise<string> {
  base ??= run('bash', [join(repoRoot, 'scripts/docker-test-image.sh')], { timeout: 120_000 }).then(({ stdout }) => stdout.trim());
  return base;
}

export interface Knobs {
  errorRate?: number;
  latencyMs?: number;
  crashOnStart?: boolean;
  failHealth?: boolean;
  /** /strict-health answers 200 only for this exact request target. */
  strictHealthTarget?: string;
}

/** A project directory with a Dockerfile and the fixture app, as a user would have. */
export async function fixtureProject(knobs: Knobs = {}, dir?: string): Promise<string> {
  const project = dir ?? (await mkdtemp(join(tmpdir(), 'shipgate-docker-app-')));
  await mkdir(project, { recursive: true });
  await copyFile(join(fixtures, 'server.cjs'), join(project, 'server.cjs'));
  await writeFile(join(project, 'knobs.json'), JSON.stringify({ errorRate: 0, latencyMs: 0, ...knobs }));
  await writeFile(
    join(project, 'Dockerfile'),
    `FROM ${await baseImage()}\nCOPY server.cjs knobs.json /app/\nCMD ["node", "/app/server.cjs"]\n`,
  );
  return project;
}

/** A unique, docker-safe app name so parallel test files never share containers or images. */
export function testAppName(prefix = 'sgt'): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** Removes every container and image tag of a test app. */
export async function cleanupApp(app: string): Promise<void> {
  const { stdout } = await run('docker', ['container', 'ls', '--all', '--quiet', '--filter', `label=shipgate.app=${app}`]);
  const ids = stdout.split('\n').filter(Boolean);
  if (ids.length > 0) await run('docker', ['container', 'rm', '--force', ...ids]).catch(() => undefined);
  const images = await run('docker', ['image', 'ls', '--format', '{{.Repository}}:{{.Tag}}', '--filter', `reference=${app}`]);
  const refs = images.stdout.split('\n').filter(Boolean);
  if (refs.length > 0) await run('docker', ['image', 'rm', '--force', ...refs]).catch(() => undefined);
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
