/**
 * The host side of a run over SSH: `node agent.js run <runDir>` or `node agent.js attach <runDir>`.
 *
 * `run` reads the start message from stdin, writes it to the run folder (0600; the orchestrator deletes it once read)
 * and starts the orchestrator in a session of its own, so the run carries on to a safe end if the SSH connection drops.
 * Both verbs then relay the run's messages (messages.jsonl) to stdout, one JSON line each, until the result; `run`
 * also relays later stdin lines (abort) to control.jsonl.
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { completeLines, readFrom, RUN_FILES } from '../orchestrator/run-folder.js';
import { builtFile } from '../package-root.js';

const POLL_MS = 50;

async function main(): Promise<number> {
  const [verb, runDir] = process.argv.slice(2);
  if ((verb !== 'run' && verb !== 'attach') || !runDir) {
    process.stderr.write('usage: agent.js run|attach <runDir>\n');
    return 2;
  }
  process.stdout.on('error', () => process.exit(0));
  if (verb === 'attach') return relay(runDir, () => alive(readPid(runDir)));

  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) return 2;
  writeFileSync(join(runDir, RUN_FILES.start), first.value, { mode: 0o600 });
  const output = openSync(join(runDir, RUN_FILES.output), 'a', 0o600);
  const child = spawn(process.execPath, [builtFile('orchestrator')], {
    detached: true,
    stdio: ['ignore', output, output],
    env: { ...process.env, DEPLOY_RUN_DIR: runDir },
  });
  closeSync(output);
  writeFileSync(join(runDir, RUN_FILES.pid), String(child.pid));
  let exited = false;
  child.once('exit', () => (exited = true));
  void (async () => {
    for (let next = await lines.next(); !next.done; next = await lines.next()) appendFileSync(join(runDir, RUN_FILES.control), `${next.value}\n`);
    // stdin closed: the CLI or the connection went away. The run goes on; so does the relay, while anyone reads it.
  })();
  return relay(runDir, () => !exited);
}

/** Copies messages.jsonl to stdout from the start until a result line, or until the run is gone without one. */
async function relay(runDir: string, running: () => boolean): Promise<number> {
  const file = join(runDir, RUN_FILES.messages);
  let offset = 0;
  let pending = '';
  for (;;) {
    const wasRunning = running();
    const chunk = readFrom(file, offset);
    offset += chunk.length;
    const { lines, rest } = completeLines(pending + chunk.toString('utf8'));
    pending = rest;
    for (const line of lines) {
      process.stdout.write(`${line}\n`);
      if (line.startsWith('{"type":"result"')) return 0;
    }
    // Read once more after the run ended, so its last lines are not lost; then give up: it died without a result.
    if (!wasRunning && chunk.length === 0) return 1;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function readPid(runDir: string): number {
  try {
    return Number(readFileSync(join(runDir, RUN_FILES.pid), 'utf8').trim());
  } catch {
    return 0;
  }
}

function alive(pid: number): boolean {
  if (!(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

void main().then((code) => process.exit(code));
