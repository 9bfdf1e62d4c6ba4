import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync, existsSync } from 'node:fs';
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
 * Scenarios run in order on one project: each starts from "a verified release serves" and leaves it so.
 */
describe('fault injection', { timeout: 600_000 }, () => {
  let project: ExampleProject;
  let stateDir: string;
  const rows: ScenarioRow[] = [];

  beforeAll(async () => {
    project = await createExampleProject({ windowMs: 1_500, minRequests: 15 });
    stateDir = join(project.dir, '.deploy', 'staging');
    const first = await project.deploy();
    expect(first.exitCode, first.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    if (rows.length) console.log('\n' + renderTable(rows) + '\n');
    await project?.destroy();
  });

  /** Runs one scenario; its row goes to the report whether it passed or not. */
  function scenario(name: string, fn: () => Promise<Omit<ScenarioRow, 'scenario' | 'outcome'>>) {
    it(name, async () => {
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
    scenario(`kill -9 orchestrator at ${phase}`, async () => {
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

  killOrchestratorAt('release-created');
  killOrchestratorAt('green-started');
  killOrchestratorAt('verifying');
  killOrchestratorAt('rolling-back', { latencyMs: 700 });
});
