import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournal } from '../../src/journal/journal.js';
import { startLoad, type LoadResult } from '../helpers/load.js';
import { createExampleProject, servedBy, type ExampleProject } from '../platforms/local/helpers/example-project.js';
import { apps, historyOf, renderTable, report, routerPid, startCli, unexpectedFailures, waitJournalPhase, type CliResult, type ScenarioRow } from './harness.js';

/**
 * The fault-injection suite: real deploys of examples/webapp through the real CLI, under load, one fault at one
 * phase each. Phase moments come from the journal (watched) or the CLI's progress lines; no fixed sleeps.
 * Scenarios run in order on a project of their group: each starts from "a verified release serves" and leaves it so.
 * The three groups run side by side (a deploy mostly waits on its own processes), each on its own project and port.
 */
const GROUPS = ['bad releases', 'signals and killed CLIs', 'killed orchestrators, locks and state files'] as const;
type Group = (typeof GROUPS)[number];
const rows: ScenarioRow[] = [];

describe('fault injection', { timeout: 600_000 }, () => {
  afterAll(() => {
    if (rows.length) console.log('\n' + renderTable(rows) + '\n');
  });

  for (const group of GROUPS) describe(group, { concurrent: true }, () => faultScenarios(group));
});

/** Defines every scenario; those of `group` run, in order, on one project. */
function faultScenarios(group: Group) {
  let project: ExampleProject;
  let stateDir: string;

  beforeAll(async () => {
    project = await createExampleProject({ windowMs: 1_500, minRequests: 15 });
    stateDir = join(project.dir, '.deploy', 'staging');
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    await project?.destroy();
  });

  /** Runs one scenario of this group; its row goes to the report whether it passed or not. */
  function scenario(name: string, of: Group, fn: () => Promise<Omit<ScenarioRow, 'scenario' | 'outcome'>>) {
    if (of !== group) return;
    it.sequential(name, async () => {
      try {
        const row = { scenario: name, outcome: 'survived' as const, ...(await fn()) };
        rows.push(row);
        report(row);
      } catch (error) {
        const row: ScenarioRow = { scenario: name, outcome: 'FAILED', exitCode: null, failedRequests: -1, unexpectedFailures: -1, recoveryMs: null, note: String((error as Error).message).split('\n')[0]!.slice(0, 80) };
        rows.push(row);
        report(row);
        throw error;
      }
    });
  }

  async function underLoad<T>(fn: () => Promise<T>): Promise<{ value: T; load: LoadResult }> {
    const load = startLoad(project.url + '/', { concurrency: 4, maxDurationMs: 280_000 });
    await load.waitFor(10);
    try {
      const value = await fn();
      // A few more requests after the fault was dealt with: they must all succeed.
      const before = load.snapshot().total;
      await load.waitFor(before + 10);
      return { value, load: await load.stop() };
    } catch (error) {
      await load.stop();
      throw error;
    }
  }

  function lastRecovery(): number | null {
    const rec = historyOf(project.dir).filter((r) => r.type === 'recovery').at(-1);
    return rec?.durationMs ?? null;
  }

  async function expectOn(release: string) {
    expect(await servedBy(project.url)).toBe(release);
    expect(project.state().active?.release).toBe(release);
  }

  async function expectNoOrphans(blue: string) {
    const running = (await apps(stateDir)).filter((a) => a.state === 'running' || a.state === 'backoff').map((a) => a.id);
    expect(running).toContain(blue);
    // Only blue and (perhaps) the warm previous release; never the interrupted green.
    const previous = project.state().previous?.release;
    expect(running.filter((id) => id !== blue && id !== previous)).toEqual([]);
  }

  function expectLockFree() {
    expect(existsSync(join(stateDir, 'lock'))).toBe(false);
  }

  /** Kill -9 of the orchestrator once the journal reaches `phase`: the CLI recovers at once and exits 1. */
  function killOrchestratorAt(phase: 'release-created' | 'green-started' | 'verifying' | 'rolling-back', knobs: Record<string, unknown> = {}) {
    scenario(`kill -9 orchestrator at ${phase}`, 'killed orchestrators, locks and state files', async () => {
      const blue = (await servedBy(project.url))!;
      project.commitKnobs(knobs, `release for kill at ${phase}`);
      const started = Date.now();
      const { value, load } = await underLoad(async () => {
        const cli = startCli(project.dir, ['staging', '--json', '--yes']);
        const journal = await waitJournalPhase(stateDir, phase);
        process.kill(journal.pid, 'SIGKILL');
        const killedAt = Date.now();
        const result = await cli.done;
        return { result, recoveryMs: Date.now() - killedAt, journal };
      });
      const { result } = value;
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/orchestrator was killed \(SIGKILL\).*recovering/);
      expect(result.stderr).toMatch(/was interrupted during/);
      expect(await readJournal(stateDir)).toBeNull();
      await expectOn(blue);
      await expectNoOrphans(blue);
      expectLockFree();
      const history = historyOf(project.dir);
      expect(history.at(-2)).toMatchObject({ type: 'deploy', status: 'interrupted' });
      expect(history.at(-1)).toMatchObject({ type: 'recovery', status: 'recovered' });
      const green = value.journal?.release ?? null;
      const unexpected = unexpectedFailures(load, green);
      expect(unexpected).toEqual([]);
      return { exitCode: result.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: value.recoveryMs, note: `killed at ${value.journal.phase}; run ${Date.now() - started} ms` };
    });
  }


  /** A deploy of `knobs` under load that must fail verification or start-up and leave blue serving, exit 1. */
  function badRelease(name: string, knobs: Record<string, unknown>, options: { switched: boolean }) {
    scenario(name, 'bad releases', async () => {
      const blue = (await servedBy(project.url))!;
      project.commitKnobs(knobs, name);
      const { value: result, load } = await underLoad(() => startCli(project.dir, ['staging', '--json', '--yes']).done);
      expect(result.exitCode, result.stderr).toBe(1);
      const green = result.summary!.release.id;
      expect(result.summary!.status).toBe(options.switched ? 'rolled_back' : 'failed');
      await expectOn(blue);
      await expectNoOrphans(blue);
      expectLockFree();
      expect(await readJournal(stateDir)).toBeNull();
      expect(historyOf(project.dir).at(-1)).toMatchObject({ type: 'deploy', verified: false });
      const unexpected = unexpectedFailures(load, green);
      expect(unexpected).toEqual([]);
      if (!options.switched) expect(load.failed).toBe(0);
      return { exitCode: result.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: null, note: (result.summary!.message ?? result.summary!.rollback.reason ?? '').slice(0, 70) };
    });
  }

  badRelease('failing health check', { failHealth: true }, { switched: false });
  badRelease('green crashes on start', { crashOnStart: true }, { switched: false });
  badRelease('5% 500s after the switch', { errorRate: 0.05 }, { switched: true });
  badRelease('slow responses (p95)', { latencyMs: 700 }, { switched: true });
  badRelease('database goes down after the switch', { dbFailAfterRequests: 40 }, { switched: true });

  scenario('failing migration', 'bad releases', async () => {
    const blue = (await servedBy(project.url))!;
    writeFileSync(join(project.dir, 'migrations', '900_broken.sql'), 'CREATE TABLE broken (;\n');
    execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'add', '.'], { cwd: project.dir });
    project.commitKnobs({}, 'broken migration');
    try {
      const { value: result, load } = await underLoad(() => startCli(project.dir, ['staging', '--json', '--yes']).done);
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/migrations/);
      await expectOn(blue);
      expectLockFree();
      expect(load.failed).toBe(0);
      return { exitCode: result.exitCode, failedRequests: load.failed, unexpectedFailures: 0, recoveryMs: null, note: 'green never started' };
    } finally {
      execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'rm', '-q', 'migrations/900_broken.sql'], { cwd: project.dir });
      project.commitKnobs({}, 'drop broken migration');
    }
  });

  function interruptAt(phase: 'green-started' | 'verifying', signal: NodeJS.Signals) {
    scenario(`${signal} once at ${phase}`, 'signals and killed CLIs', async () => {
      const blue = (await servedBy(project.url))!;
      project.commitKnobs({}, `${signal} at ${phase}`);
      const { value, load } = await underLoad(async () => {
        const cli = startCli(project.dir, ['staging', '--json', '--yes']);
        const journal = await waitJournalPhase(stateDir, phase);
        cli.child.kill(signal);
        const at = Date.now();
        const result = await cli.done;
        return { result, ms: Date.now() - at, green: journal.release };
      });
      const { result } = value;
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toMatch(new RegExp(`${signal}: aborting the deploy`));
      await expectOn(blue);
      await expectNoOrphans(blue);
      expectLockFree();
      expect(await readJournal(stateDir)).toBeNull();
      expect(historyOf(project.dir).at(-1)).toMatchObject({ type: 'deploy', verified: false });
      const unexpected = unexpectedFailures(load, value.green);
      expect(unexpected).toEqual([]);
      return { exitCode: result.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: value.ms, note: `orderly abort, ${result.summary?.status}` };
    });
  }

  interruptAt('green-started', 'SIGINT');
  interruptAt('verifying', 'SIGINT');
  interruptAt('verifying', 'SIGTERM');

  scenario('SIGINT twice at verifying, next deploy recovers', 'signals and killed CLIs', async () => {
    const blue = (await servedBy(project.url))!;
    project.commitKnobs({}, 'double SIGINT');
    const { value, load } = await underLoad(async () => {
      const cli = startCli(project.dir, ['staging', '--json', '--yes']);
      const journal = await waitJournalPhase(stateDir, 'verifying');
      cli.child.kill('SIGINT');
      await cli.waitLine(/aborting the deploy/);
      cli.child.kill('SIGINT');
      const first = await cli.done;
      expect(first.exitCode, first.stderr).toBe(4);
      expect(first.stderr).toMatch(/stopped at once by a second SIGINT/);
      expect((await readJournal(stateDir))?.phase).toBeDefined();
      const at = Date.now();
      const next = startCli(project.dir, ['staging', '--json', '--yes']);
      await next.waitLine(/was interrupted during/);
      const recoveredMs = Date.now() - at;
      const result = await next.done;
      return { first, result, recoveredMs, green: journal.release };
    });
    expect(value.result.exitCode, value.result.stderr).toBe(0);
    const now = value.result.summary!.release.id;
    await expectOn(now);
    expectLockFree();
    const types = historyOf(project.dir).slice(-3).map((r) => `${r.type}:${r.status}`);
    expect(types).toEqual(['deploy:interrupted', 'recovery:recovered', 'deploy:success']);
    expect(blue).not.toBe(now);
    const unexpected = unexpectedFailures(load, value.green);
    expect(unexpected).toEqual([]);
    return { exitCode: value.first.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: value.recoveredMs, note: 'journal left; next deploy recovered, then deployed' };
  });

  scenario('kill -9 CLI + orchestrator (process group) at verifying, next deploy recovers', 'signals and killed CLIs', async () => {
    project.commitKnobs({}, 'group kill');
    const { value, load } = await underLoad(async () => {
      const cli = startCli(project.dir, ['staging', '--json', '--yes'], { detached: true });
      const journal = await waitJournalPhase(stateDir, 'verifying');
      process.kill(-cli.child.pid!, 'SIGKILL');
      await cli.done;
      const at = Date.now();
      const next = startCli(project.dir, ['staging', '--json', '--yes']);
      await next.waitLine(/was interrupted during/);
      const recoveredMs = Date.now() - at;
      return { result: await next.done, recoveredMs, green: journal.release };
    });
    expect(value.result.exitCode, value.result.stderr).toBe(0);
    await expectOn(value.result.summary!.release.id);
    expectLockFree();
    const types = historyOf(project.dir).slice(-3).map((r) => `${r.type}:${r.status}`);
    expect(types).toEqual(['deploy:interrupted', 'recovery:recovered', 'deploy:success']);
    const unexpected = unexpectedFailures(load, value.green);
    expect(unexpected).toEqual([]);
    return { exitCode: value.result.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: value.recoveredMs, note: 'lock taken over, green stopped, redeployed' };
  });

  scenario('kill -9 CLI + orchestrator at switching: `deploy status` reports it and changes nothing, `deploy recover` recovers', 'signals and killed CLIs', async () => {
    const blue = (await servedBy(project.url))!;
    project.commitKnobs({}, 'group kill, then status and recover');
    const { value, load } = await underLoad(async () => {
      const cli = startCli(project.dir, ['staging', '--json', '--yes'], { detached: true });
      const journal = await waitJournalPhase(stateDir, 'switching');
      process.kill(-cli.child.pid!, 'SIGKILL');
      await cli.done;
      const historyBefore = historyOf(project.dir).length;
      const left = await readJournal(stateDir);
      const status = await startCli(project.dir, ['status', 'staging', '--json']).done;
      // Status only reads: the journal, history and the routing table are as the killed run left them.
      const afterStatus = { journal: await readJournal(stateDir), history: historyOf(project.dir).length };
      const at = Date.now();
      const recover = await startCli(project.dir, ['recover', 'staging']).done;
      return { status, recover, left, afterStatus, historyBefore, ms: Date.now() - at, green: journal.release };
    });
    expect(value.status.exitCode, value.status.stderr).toBe(0);
    expect(JSON.parse(value.status.stdout).interrupted).toMatchObject({ kind: 'deploy', phase: expect.stringMatching(/^(switching|verifying)$/) });
    expect(value.afterStatus).toEqual({ journal: value.left, history: value.historyBefore });
    expect(value.recover.exitCode, value.recover.stderr).toBe(0);
    expect(value.recover.stdout).toMatch(/was interrupted during (switching|verifying)/);
    const after = await startCli(project.dir, ['status', 'staging', '--json']).done;
    expect(JSON.parse(after.stdout)).toMatchObject({ active: { release: blue }, interrupted: null });
    await expectOn(blue);
    await expectNoOrphans(blue);
    expectLockFree();
    expect(await readJournal(stateDir)).toBeNull();
    const types = historyOf(project.dir).slice(-2).map((r) => `${r.type}:${r.status}`);
    expect(types).toEqual(['deploy:interrupted', 'recovery:recovered']);
    const unexpected = unexpectedFailures(load, value.green);
    expect(unexpected).toEqual([]);
    return { exitCode: value.recover.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: value.ms, note: 'status reported it; deploy recover recovered' };
  });

  scenario('kill -9 CLI alone at verifying: the orchestrator aborts on its own', 'signals and killed CLIs', async () => {
    const blue = (await servedBy(project.url))!;
    project.commitKnobs({}, 'cli kill');
    const { value, load } = await underLoad(async () => {
      const cli = startCli(project.dir, ['staging', '--json', '--yes']);
      const journal = await waitJournalPhase(stateDir, 'verifying');
      cli.child.kill('SIGKILL');
      const at = Date.now();
      await cli.done;
      // The orchestrator notices the CLI went away, rolls back and removes its journal.
      while ((await readJournal(stateDir)) !== null || existsSync(join(stateDir, 'lock'))) await new Promise((r) => setTimeout(r, 25));
      return { ms: Date.now() - at, green: journal.release };
    });
    await expectOn(blue);
    await expectNoOrphans(blue);
    expect(historyOf(project.dir).at(-1)).toMatchObject({ type: 'deploy', status: 'rolled_back' });
    const unexpected = unexpectedFailures(load, value.green);
    expect(unexpected).toEqual([]);
    return { exitCode: null, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: value.ms, note: 'orchestrator rolled back by itself' };
  });

  scenario('kill green at verifying', 'bad releases', async () => {
    const blue = (await servedBy(project.url))!;
    project.commitKnobs({}, 'green killed');
    let window: [number, number] = [0, 0];
    const { value: result, load } = await underLoad(async () => {
      const cli = startCli(project.dir, ['staging', '--json', '--yes']);
      const journal = await waitJournalPhase(stateDir, 'verifying');
      const green = (await apps(stateDir)).find((a) => a.id === journal.release)!;
      window = [Date.now(), 0];
      process.kill(green.pid!, 'SIGKILL');
      const result = await cli.done;
      window[1] = Date.now();
      return result;
    });
    expect(result.exitCode, result.stderr).toBe(1);
    await expectOn(blue);
    await expectNoOrphans(blue);
    expectLockFree();
    // Requests lost to the dead green (before the router switched back) are inside its watch window; none outside.
    const unexpected = load.failures.filter((f) => f.endedAt < window[0] || f.startedAt > window[1]);
    expect(unexpected).toEqual([]);
    return { exitCode: result.exitCode, failedRequests: load.failed, unexpectedFailures: unexpected.length, recoveryMs: window[1] - window[0], note: 'rolled back; losses only while green was dead on the router' };
  });

  scenario('kill blue (active app): the supervisor restarts it and history records it', 'killed orchestrators, locks and state files', async () => {
    const blue = (await servedBy(project.url))!;
    const app = (await apps(stateDir)).find((a) => a.id === blue)!;
    const at = Date.now();
    process.kill(app.pid!, 'SIGKILL');
    for (;;) {
      const now = (await apps(stateDir)).find((a) => a.id === blue);
      if (now && now.state === 'running' && now.pid !== app.pid) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    // Back through the router once the restarted process listens (the router's own health check readmits it).
    while ((await servedBy(project.url).catch(() => null)) !== blue) await new Promise((r) => setTimeout(r, 25));
    const ms = Date.now() - at;
    expect(historyOf(project.dir).some((r) => r.type === 'restart')).toBe(true);
    return { exitCode: null, failedRequests: 0, unexpectedFailures: 0, recoveryMs: ms, note: 'no load here: the only upstream is down until restarted' };
  });

  scenario('kill -9 the runtime between deploys: its keeper restarts it, no connection refused, the next deploy goes on', 'killed orchestrators, locks and state files', async () => {
    const blue = (await servedBy(project.url))!;
    const pid = await routerPid(stateDir);
    const { value: restartMs, load } = await underLoad(async () => {
      const at = Date.now();
      process.kill(pid, 'SIGKILL');
      while ((await routerPid(stateDir).catch(() => pid)) === pid) await new Promise((r) => setTimeout(r, 25));
      return Date.now() - at;
    });
    // The keeper held the socket: connections waited in the backlog; only requests in flight on the dead runtime failed.
    expect(load.failures.filter((f) => f.error === 'ECONNREFUSED')).toEqual([]);
    expect(load.failed).toBeLessThanOrEqual(4);
    expect(await servedBy(project.url)).toBe(blue);
    expect(historyOf(project.dir).some((r) => r.type === 'restart' && /runtime \(pid \d+\) died \(SIGKILL\)/.test(r.detail ?? ''))).toBe(true);
    project.commitKnobs({}, 'after runtime crash');
    const result = await project.deploy();
    expect(result.exitCode, result.stderr).toBe(0);
    await expectOn(result.summary.release.id);
    return { exitCode: result.exitCode, failedRequests: load.failed, unexpectedFailures: 0, recoveryMs: restartMs, note: 'keeper restarted the runtime; the next deploy ran normally' };
  });

  scenario('three concurrent deploys: exactly one runs, the others exit 5', 'killed orchestrators, locks and state files', async () => {
    project.commitKnobs({}, 'concurrent');
    const { value: results, load } = await underLoad(() => Promise.all([0, 1, 2].map(() => startCli(project.dir, ['staging', '--json', '--yes']).done)));
    const codes = results.map((r: CliResult) => r.exitCode).sort();
    const ran = results.find((r: CliResult) => r.exitCode !== 5);
    expect(codes, ran ? `${ran.stdout.slice(0, 1500)}\n${ran.stderr.slice(-800)}` : 'every deploy exited 5').toEqual([0, 5, 5]);
    for (const r of results.filter((r: CliResult) => r.exitCode === 5)) expect(r.stderr).toMatch(/lock/i);
    expectLockFree();
    expect(load.failed).toBe(0);
    return { exitCode: 0, failedRequests: load.failed, unexpectedFailures: 0, recoveryMs: null, note: `exit codes ${codes.join(',')}` };
  });

  scenario('two concurrent deploys with --lock-wait: the second waits, then runs', 'killed orchestrators, locks and state files', async () => {
    project.commitKnobs({}, 'lock wait');
    const { value: results, load } = await underLoad(() => Promise.all([0, 1].map(() => startCli(project.dir, ['staging', '--json', '--yes', '--lock-wait', '5m']).done)));
    expect(results.map((r: CliResult) => r.exitCode), results.map((r: CliResult) => r.stderr).join('\n')).toEqual([0, 0]);
    const deploys = historyOf(project.dir).filter((r) => r.type === 'deploy').slice(-2);
    expect(deploys.map((r) => r.status)).toEqual(['success', 'success']);
    // One after the other: the second's record comes after the first finished.
    expectLockFree();
    expect(load.failed).toBe(0);
    return { exitCode: 0, failedRequests: load.failed, unexpectedFailures: 0, recoveryMs: null, note: 'both deployed, one after the other' };
  });

  scenario('state directory replaced by a file: clear error, nothing changed', 'killed orchestrators, locks and state files', async () => {
    const blue = (await servedBy(project.url))!;
    const before = project.state();
    const aside = stateDir + '.aside';
    renameSync(stateDir, aside);
    mkdirSync(stateDir);
    // A file where the directory's temp files must go: every atomic write fails (we run as root, chmod would not stop us).
    rmSync(stateDir, { recursive: true });
    writeFileSync(stateDir, 'not a directory\n');
    let result: CliResult;
    try {
      project.commitKnobs({}, 'unwritable');
      result = await startCli(project.dir, ['staging', '--json', '--yes']).done;
    } finally {
      unlinkSync(stateDir);
      renameSync(aside, stateDir);
    }
    // `.deploy/<env>` must be a real directory of the user's (docs/security.md): refused before anything is written.
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(/\.deploy\/staging is not a directory/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(project.state()).toEqual(before);
    expect(await servedBy(project.url)).toBe(blue);
    return { exitCode: result.exitCode, failedRequests: 0, unexpectedFailures: 0, recoveryMs: null, note: result.stderr.trim().split('\n').at(-1)!.slice(0, 70) };
  });

  scenario('crash mid-write (between temp write and rename) leaves the old state.json intact', 'killed orchestrators, locks and state files', async () => {
    const file = join(stateDir, 'state.json');
    const before = project.state();
    const script = [
      "import fs from 'node:fs/promises';",
      "const real = fs.rename;",
      // Fault injection: the process dies (SIGKILL) after the temp file is written and synced, before the rename.
      "fs.rename = async () => { process.kill(process.pid, 'SIGKILL'); await new Promise(() => {}); };",
      "(await import('node:module')).syncBuiltinESMExports();",
      `const { writeJsonAtomic } = await import(${JSON.stringify(join(process.cwd(), 'dist', 'src', 'state', 'atomic-write.js'))});`,
      `await writeJsonAtomic(${JSON.stringify(file)}, { half: true, active: null });`,
    ].join('\n');
    let signal: string | null = null;
    try {
      execFileSync(process.execPath, ['--input-type=module', '-e', script]);
    } catch (error) {
      signal = (error as { signal?: string }).signal ?? null;
    }
    expect(signal).toBe('SIGKILL');
    expect(project.state()).toEqual(before);
    // The orphaned temp file is harmless (and never read); the next writer renames its own.
    return { exitCode: null, failedRequests: 0, unexpectedFailures: 0, recoveryMs: null, note: 'old file intact after SIGKILL before rename' };
  });

  scenario('deploys to two environments at once do not block each other', 'killed orchestrators, locks and state files', async () => {
    const { freePort } = await import('../helpers/free-port.js');
    const qaPort = await freePort();
    const config = join(project.dir, 'deploy.config.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/environments:\n/, `environments:\n  qa: { port: ${qaPort} }\n`));
    writeFileSync(join(project.dir, '.env.qa'), 'DATABASE_URL=sqlite:data/qa.db\n');
    execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'add', '.'], { cwd: project.dir });
    project.commitKnobs({}, 'second environment');
    try {
      const blue = project.state().active!.release;
      const { value: results, load } = await underLoad(() => Promise.all(['staging', 'qa'].map((env) => startCli(project.dir, [env, '--json', '--yes']).done)));
      const [staging, qa] = results as CliResult[];
      expect(qa!.exitCode, qa!.stderr).toBe(0);
      expect(load.failed).toBe(0);
      // Neither waited on the other's lock. Staging's green, judged on users' traffic against blue's figures from before
      // qa's deploy loaded this 2-core box, may be rolled back on latency alone: a verdict, not a lock.
      const failed = staging!.summary?.checks.post.filter((c) => !c.ok) ?? [];
      const latencyVerdict = staging!.exitCode === 1 && staging!.summary!.status === 'rolled_back' && failed.length > 0 && failed.every((c) => /^p(95|99) vs blue$/.test(c.name));
      expect(staging!.exitCode === 0 || latencyVerdict, staging!.stderr).toBe(true);
      await expectOn(staging!.exitCode === 0 ? staging!.summary!.release.id : blue);
      const note = staging!.exitCode === 0 ? 'staging and qa both deployed at once' : 'both ran at once; staging rolled back on latency vs blue';
      return { exitCode: staging!.exitCode, failedRequests: load.failed, unexpectedFailures: 0, recoveryMs: null, note };
    } finally {
      const stop = await startCli(project.dir, ['stop', 'qa', '--json', '--yes']).done;
      expect(stop.exitCode, stop.stderr).toBe(0);
    }
  });

  killOrchestratorAt('release-created');
  killOrchestratorAt('green-started');
  killOrchestratorAt('verifying');
  killOrchestratorAt('rolling-back', { latencyMs: 700 });
}
