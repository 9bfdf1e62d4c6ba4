#!/usr/bin/env node
/**
 * Entry point of the detached environment runtime: `node daemon.js --state-dir DIR --port N [--host H]`.
 * stdout/stderr go to the log file the starter opened. Exits 0 after a graceful stop, 2 when it cannot start.
 */
import { parseArgs } from 'node:util';
import { startRuntime } from './runtime.js';

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
    log('usage: daemon.js --state-dir DIR --port N [--host H]');
    process.exitCode = 2;
    return;
  }
  const graceMs = values.grace ? Number(values.grace) : 10_000;
  let runtime;
  try {
    runtime = await startRuntime({ stateDir, port, host: values.host ?? '0.0.0.0', log });
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
