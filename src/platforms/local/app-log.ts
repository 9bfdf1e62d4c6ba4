import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { stripAnsi } from '../../checks/test-output-parsers.js';
import { readFrom } from '../../orchestrator/run-folder.js';
import { StateStore } from '../../state/store.js';
import { readLogTail } from './log-tail.js';
import { logFileOf } from './local-runner.js';
import { releaseDirOf } from './releases.js';

export interface AppLogOptions {
  projectRoot: string;
  environment: string;
  stateDir: string;
  /** How many of the last lines to show first. */
  lines: number;
  /** Keep printing what the app writes, across deploys, until the signal aborts. */
  follow: boolean;
  signal: AbortSignal;
  /** One line of the log (without its newline), or a notice of ours starting with "──". */
  onLine(line: string): void;
  pollMs?: number;
}

/**
 * The app's log on the local platform: what the active release's processes wrote to stdout and stderr (the runtime
 * appends both to `<release>/.shipgate/app.log`). With `follow`, new lines as they come; when a deploy or rollback
 * makes another release active, it says so and goes on with that release's log. Returns false when the environment
 * was never deployed here.
 */
export async function showAppLog(options: AppLogOptions): Promise<boolean> {
  const store = new StateStore(options.projectRoot, options.environment);
  const active = async () => (await store.read().catch(() => null))?.active?.release ?? null;
  let release = await active();
  if (!release) return false;
  let file = logFileOf(releaseDirOf(options.stateDir, release));
  for (const line of await readLogTail(file, options.lines)) options.onLine(line);
  if (!options.follow) return true;

  let offset = await sizeOf(file);
  // Bytes after the last newline: a line the app has not finished (a newline byte is never inside a UTF-8 character).
  let pending = Buffer.alloc(0);
  const emit = (bytes: Buffer) => {
    for (const line of bytes.toString('utf8').split('\n')) {
      const shown = stripAnsi(line).trimEnd();
      if (shown) options.onLine(shown);
    }
  };
  while (!options.signal.aborted) {
    await sleep(options.pollMs ?? 250, undefined, { signal: options.signal }).catch(() => undefined);
    if (options.signal.aborted) break;
    const now = await active();
    if (now && now !== release) {
      emit(pending);
      release = now;
      file = logFileOf(releaseDirOf(options.stateDir, release));
      offset = 0;
      pending = Buffer.alloc(0);
      options.onLine(`── ${release} is now active ──`);
    }
    // A log that shrank was replaced: read it again from its start.
    if ((await sizeOf(file)) < offset) offset = 0;
    const chunk = readFrom(file, offset);
    offset += chunk.length;
    const bytes = Buffer.concat([pending, chunk]);
    const end = bytes.lastIndexOf(0x0a);
    if (end === -1) {
      pending = bytes;
      continue;
    }
    emit(bytes.subarray(0, end));
    pending = bytes.subarray(end + 1);
  }
  emit(pending);
  return true;
}

async function sizeOf(file: string): Promise<number> {
  return (await stat(file).catch(() => null))?.size ?? 0;
}
