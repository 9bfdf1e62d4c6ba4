#!/usr/bin/env node
/**
 * The docker platform's environment runtime: the router daemon plus `containers.*` (keeping blue warm, then
 * retiring it). Started detached by `ensureRouter({ daemonPath })` with the router daemon's arguments:
 * `--state-dir DIR --port N [--host H] [--grace MS]`. DOCKER_HOST in its environment selects the engine.
 */
import { runDaemon } from '../../router/daemon-main.js';
import { dockerExtension } from './runtime-extension.js';

void runDaemon({ extensions: [(runtime, log) => dockerExtension({ log })(runtime)] });
