import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import type { Command } from '../../exec/command.js';
import type { Executor } from '../../exec/executor.js';
import type { Channel } from '../channel.js';
import { DeliveryError } from '../delivery-error.js';
import type { NotifyEvent, NotifyEventType } from '../event.js';
import { webhookBody } from '../webhook-body.js';

export interface CommandChannelOptions {
  /** Absolute path of the hook executable. */
  file: string;
  args?: readonly string[];
  cwd: string;
  executor: Executor;
  events?: readonly NotifyEventType[] | null;
  label?: string;
}

/** The hook run for one event: the webhook JSON on stdin, no shell, skipped under --dry-run. */
export function hookCommand(options: CommandChannelOptions, body: string, timeoutMs: number): Command {
  return { file: options.file, args: [...(options.args ?? [])], cwd: options.cwd, input: body, mutates: true, timeoutMs };
}

export function commandChannel(options: CommandChannelOptions): Channel {
  return {
    label: options.label ?? `command ${options.file}`,
    events: options.events ?? null,
    secrets: [],
    async send(event: NotifyEvent, delivery) {
      try {
        await access(options.file, constants.X_OK);
      } catch {
        throw new DeliveryError('hook is missing or not executable', false);
      }
      const body = JSON.stringify(webhookBody(event, delivery.id));
      const result = await options.executor.run(hookCommand(options, body, delivery.timeoutMs));
      if (result.skipped || result.exitCode === 0) return;
      if (result.timedOut) throw new DeliveryError(`timed out after ${delivery.timeoutMs}ms`, true);
      const last = result.stderr.trim().split('\n').pop()?.slice(0, 200);
      throw new DeliveryError(`exited with ${result.exitCode}${last ? `: ${last}` : ''}`, true);
    },
  };
}
