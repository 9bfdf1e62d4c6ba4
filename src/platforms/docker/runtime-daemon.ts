#!/usr/bin/env node
/**
 * The docker platform's environment runtime: the router daemon plus `containers.*` (keeping blue warm, then
 * retiring it). Started detached by `ensureRouter({ daemonPath })` with the router daemon's arguments:
 * `--state-dir DIR --port N [--host H] [--grace MS]`. DOCKER_HOST in its environment selects the engine.
 */
import { parseArgs } from 'node:util';
import { startRuntime } from '../../router/runtime.js';
import { dockerExtension } from './runtime-extension.js';

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
    runtime = await startRuntime({ stateDir, port, host: values.host ?? '0.0.0.0', log, extensions: [dockerExtension({ log })] });
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
