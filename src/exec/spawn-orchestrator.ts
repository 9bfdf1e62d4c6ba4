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

/**
 * Starts `node <script>` with an IPC channel. The child's own stdout/stderr never reach ours.
 * This is node's `spawn`, not execa: it is on every deploy's critical path, and loading execa here cost the CLI about
 * 0.12 s before the child could start. If the CLI dies, the IPC channel closes and the child aborts its run on
 * `disconnect` (src/orchestrator/child.ts), which is what execa's `cleanup` would have forced with a signal.
 */
export async function spawnOrchestrator(script: string, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<OrchestratorProcess> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    serialization: 'advanced',
    cwd: options.cwd,
    // Like execa's default: the given variables extend this process's environment.
    env: options.env ? { ...process.env, ...options.env } : process.env,
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

  // 'close' comes after the output is read to the end; a failed spawn emits 'error' and then 'close' as well.
  child.on('error', () => undefined);
  const exited = new Promise<ChildExit>((resolve) =>
    child.once('close', (code, signal) => resolve({ exitCode: code !== null && code >= 0 ? code : null, signal })),
  );

  return {
    pid: child.pid,
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        if (!child.connected) return reject(new Error('the orchestrator process is not connected'));
        child.send(message as Parameters<typeof child.send>[0], (error) => (error ? reject(error) : resolve()));
      }),
    onMessage: (listener) => listeners.push(listener),
    kill: (signal) => {
      child.kill(signal);
    },
    exited,
    outputTail: () => [...tail],
  };
}
