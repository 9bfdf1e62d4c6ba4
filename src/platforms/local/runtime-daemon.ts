#!/usr/bin/env node
/**
 * The local platform's environment runtime: the router daemon with the app supervisor and the post-deploy
 * guard inside, so app processes, routing and watching outlive the CLI. Started detached by
 * `ensureRouter({ daemonPath })` with the router daemon's arguments: `--state-dir DIR --port N [--host H] [--grace MS]`.
 */
import { runDaemon } from '../../router/daemon-main.js';
import { guardExtension } from './guard-extension.js';
import { supervisorExtension } from './runtime-extension.js';
import { crashLoopExtension } from './crash-loop.js';

void runDaemon({
  extensions: [
    (runtime, log) => {
      const guard = guardExtension({ log });
      const crashLoop = crashLoopExtension({ log });
      supervisorExtension({
        log,
        onSupervisor: (supervisor, keepWarm) => {
          guard.attach(supervisor, keepWarm);
          crashLoop.attach(supervisor, keepWarm);
        },
      })(runtime);
      guard.extend(runtime);
      crashLoop.extend(runtime);
    },
  ],
});
