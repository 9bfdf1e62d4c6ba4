/** How the orchestrator process ended. `signal` is set when it was killed. */
export interface ChildExit {
  exitCode: number | null;
  signal: string | null;
}

/** The parent's handle on the orchestrator child: an IPC channel plus the process itself. */
export interface OrchestratorProcess {
  readonly pid: number | undefined;
  send(message: unknown): Promise<void>;
  /** Called for every message the child sends, unvalidated; the caller validates. */
  onMessage(listener: (message: unknown) => void): void;
  kill(signal: NodeJS.Signals): void;
  readonly exited: Promise<ChildExit>;
  /** The last lines the child wrote to stdout/stderr, for --verbose and crash reports. */
  outputTail(): string[];
}

const TAIL_LINES = 20;

/** Starts `node <script>` with an IPC channel (execa). The child's own stdout/stderr never reach ours. */
export async function spawnOrchestrator(script: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<OrchestratorProcess> {
  const { execa } = await import('execa');
  const child = execa(process.execPath, [script], {
    ipc: true,
    serialization: 'advanced',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    cleanup: true,
    cwd: options.cwd,
    env: options.env,
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer | string) => {
    for (const line of String(chunk).split('\n')) if (line.trim()) tail.push(line);
    if (tail.length > TAIL_LINES) tail.splice(0, tail.length - TAIL_LINES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const listeners: Array<(message: unknown) => void> = [];
  child.on('message', (message: unknown) => {
    for (const listener of listeners) listener(message);
  });

  const exited = child.then(
    (result) => ({ exitCode: typeof result.exitCode === 'number' ? result.exitCode : null, signal: result.signal ?? null }),
    () => ({ exitCode: null, signal: null }),
  );

  return {
    pid: child.pid,
    send: async (message) => {
      await child.sendMessage(message as Parameters<typeof child.sendMessage>[0]);
    },
    onMessage: (listener) => listeners.push(listener),
    kill: (signal) => {
      child.kill(signal);
    },
    exited,
    outputTail: () => [...tail],
  };
}
