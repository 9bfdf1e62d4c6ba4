/**
 * The orchestrator process. The CLI spawns it (node dist/bin/orchestrator.js, bundled by scripts/bundle.mjs) with an IPC
 * channel, sends `start {plan}`, and renders the `progress` events; the last message is
 * `result {summary}`. Keeping it separate means a crash or hang here cannot take the CLI down
 * silently: the parent notices, reports and exits 4.
 */
import { ipcChannel, runFolderChannel } from './channel.js';
import { ChildMessageSchema, ParentMessageSchema, type ChildMessage, type ProgressEvent } from './messages.js';
import type { DeployPlan } from './plan.js';

const controller = new AbortController();
let started = false;
// DEPLOY_RUN_DIR: started by the host agent on a server, to outlive the SSH session (src/remote/agent.ts).
const channel = process.env.DEPLOY_RUN_DIR ? runFolderChannel(process.env.DEPLOY_RUN_DIR) : ipcChannel();

// The CLI starts this process before its plan is ready; load what every run needs meanwhile.
const runModule = import('./run.js');
void Promise.all([runModule, import('../checks/index.js').then((m) => m.preloadPreChecks()), import('../lock/lock.js'), import('../exec/executor.js').then((m) => m.warmUpExecutor())]).catch(() => undefined);

function send(message: ChildMessage): Promise<void> {
  ChildMessageSchema.parse(message);
  return channel.send(message);
}

// Ctrl-C reaches the whole process group; only the parent decides what an interrupt means.
process.on('SIGINT', () => {});
channel.onGone(() => {
  // Cancelled before it had a plan: nothing was touched, nothing to clean up.
  if (!started) process.exit(0);
  controller.abort(new Error('the CLI went away'));
});

channel.onMessage((raw: unknown) => {
  const parsed = ParentMessageSchema.safeParse(raw);
  if (!parsed.success) {
    process.stderr.write(`orchestrator: invalid message from the CLI: ${parsed.error.issues[0]?.message}\n`);
    process.exitCode = 4;
    channel.close();
    return;
  }
  const message = parsed.data;
  if (message.type === 'abort') {
    controller.abort(new Error(message.reason));
    return;
  }
  if (started) return;
  started = true;
  void start(message.plan as unknown as DeployPlan);
});

async function start(plan: DeployPlan): Promise<void> {
  const emit = (event: ProgressEvent) => void send({ type: 'progress', event });
  if (process.env.DEPLOY_TEST_CHILD_HANG === '1') {
    // Test hook: behave like an orchestrator stuck in a phase, so the parent's kill/deadline handling can be proven.
    emit({ phase: 'pre-checks', state: 'start', message: 'pre-checks (test hang)' });
    setInterval(() => {}, 60_000);
    return;
  }
  // Started before the plan existed: relative paths (SQLite files, commands without a cwd) resolve from the project root.
  process.chdir(plan.config.projectRoot);
  const { runPlan } = await runModule;
  const summary = await runPlan(plan, { emit, signal: controller.signal, recoverOnly: process.env.DEPLOY_RECOVER_ONLY === '1' });
  await send({ type: 'result', summary });
  channel.close();
  // Work is done (every cleanup ran before the result was built): end now, so the CLI can print the summary and
  // exit without waiting for this process to wind down, nor for a stray timer or socket left by a plug-in.
  process.exit(0);
}
