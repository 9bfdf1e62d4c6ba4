import { appendFileSync, readFileSync, unlinkSync, unwatchFile, watchFile } from 'node:fs';
import { join } from 'node:path';
import { completeLines, readFrom, RUN_FILES } from './run-folder.js';

/**
 * How the orchestrator talks to whoever started it. Locally that is the CLI over node's IPC channel. On a server
 * reached over SSH it is a run folder: the run must outlive the SSH session, so it reads its start message and any
 * abort from files and appends its messages to `messages.jsonl`, which the host agent relays (src/remote/agent.ts).
 */
export interface OrchestratorChannel {
  send(message: unknown): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
  /** Whoever started the run went away. Only the IPC channel can tell; a run folder carries on without a reader. */
  onGone(listener: () => void): void;
  close(): void;
}

export function ipcChannel(): OrchestratorChannel {
  return {
    send: (message) =>
      new Promise((resolve) => {
        if (!process.connected || !process.send) return resolve();
        process.send(message as Parameters<NonNullable<typeof process.send>>[0], undefined, {}, () => resolve());
      }),
    onMessage: (listener) => void process.on('message', listener),
    onGone: (listener) => void process.on('disconnect', listener),
    close: () => process.disconnect?.(),
  };
}

export function runFolderChannel(runDir: string): OrchestratorChannel {
  const listeners: Array<(message: unknown) => void> = [];
  const controlFile = join(runDir, RUN_FILES.control);
  let offset = 0;
  let pending = '';
  const readControl = () => {
    const chunk = readFrom(controlFile, offset);
    offset += chunk.length;
    const { lines, rest } = completeLines(pending + chunk.toString('utf8'));
    pending = rest;
    for (const line of lines) for (const listener of listeners) listener(JSON.parse(line));
  };
  return {
    send: async (message) => appendFileSync(join(runDir, RUN_FILES.messages), `${JSON.stringify(message)}\n`, { mode: 0o600 }),
    onMessage: (listener) => {
      listeners.push(listener);
      if (listeners.length > 1) return;
      // The start message is written (0600) by the agent before this process starts; it may hold secrets, so it is
      // removed as soon as it is read.
      const startFile = join(runDir, RUN_FILES.start);
      const start = JSON.parse(readFileSync(startFile, 'utf8'));
      unlinkSync(startFile);
      queueMicrotask(() => listener(start));
      watchFile(controlFile, { interval: 200 }, readControl);
    },
    onGone: () => undefined,
    close: () => unwatchFile(controlFile),
  };
}
