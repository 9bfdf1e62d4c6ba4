#!/usr/bin/env node
/**
 * The local platform's environment runtime: the router daemon with the app supervisor inside, so app
 * processes and routing outlive the CLI. Started detached by `ensureRouter({ daemonPath })` with the router
 * daemon's arguments: `--state-dir DIR --port N [--host H] [--grace MS]`.
 */
import { parseArgs } from 'node:util';
import { startRuntime } from '../../router/runtime.js';
import { supervisorExtension } from './runtime-extension.js';
import { guardExtension } from './guard-extension.js';

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { 'state-dir': { type: 'string' }, port: { type: 'string' }, host: { type: 'string' }, grace: { type: 'string' } },
  });
  const stateDir = values['state-dir'];
  const port = Number(values.port);
  if (!stateDir || !Number.isInteger(port) || port < 0 || port > 65535) {
    log('usage: runtime-daemon.js --state-dir DIR --port N [--host H] [--grace MS]');
    process.exitCode = 2;
    return;
  }
  const graceMs = values.grace ? Number(values.grace) : 10_000;
  let runtime;
  try {
    const guard = guardExtension({ log });
    runtime = await startRuntime({ stateDir, port, host: values.host ?? '0.0.0.0', log, extensions: [supervisorExtension({ log, onSupervisor: guard.attach }), guard.extend] });
  } catch (error) {
    log(`cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 2;
    return;
  }
  const stop = (signal: string) => {
    log(`${signal} received`);
    void runtime.shutdown(graceMs);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => log('SIGHUP ignored'));
  await runtime.closed;
  process.exit(0);
}

void main();
