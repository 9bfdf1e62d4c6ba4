import { constants, accessSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigProblem } from '../config/issues.js';
import type { Executor } from '../exec/executor.js';
import type { Channel } from './channel.js';
import { commandChannel } from './channels/command.js';
import { slackChannel } from './channels/slack.js';
import { safeOrigin, webhookChannel } from './channels/webhook.js';
import { hasUrlCredentials, type NotifyConfig } from './config-schema.js';

export interface ResolveContext {
  /** Process env merged with the env files; values are read, never printed. */
  env: Readonly<Record<string, string | undefined>>;
  projectRoot: string;
  executor: Executor;
}

export interface ResolvedChannels {
  channels: Channel[];
  /** `notify.slack[0].urlEnv: SLACK_WEBHOOK_URL is not set`: names only, never values. */
  problems: ConfigProblem[];
  /** Every secret value the channels use, for the shared redactor. */
  secrets: string[];
}

/**
 * Turns the validated `notify:` block into channels. A destination with a
 * problem is left out and reported; the others still work, because a
 * notification problem must never stop a deploy.
 */
export function resolveChannels(config: NotifyConfig | undefined, ctx: ResolveContext): ResolvedChannels {
  const channels: Channel[] = [];
  const problems: ConfigProblem[] = [];
  const secrets: string[] = [];

  (config?.webhooks ?? []).forEach((hook, i) => {
    const path = `notify.webhooks[${i}]`;
    const secret = ctx.env[hook.secretEnv];
    if (!secret) return problems.push({ path: `${path}.secretEnv`, message: `${hook.secretEnv} is not set` });
    // A webhook URL's path and query often are its token: hidden like a secret wherever they would be echoed.
    secrets.push(secret, hook.url, ...urlPathAndQuery(hook.url));
    channels.push(webhookChannel({ url: hook.url, secret, events: hook.events, label: `webhooks[${i}] (${safeOrigin(hook.url)})` }));
  });

  (config?.slack ?? []).forEach((slack, i) => {
    const path = `notify.slack[${i}].urlEnv`;
    const url = ctx.env[slack.urlEnv];
    if (!url) return problems.push({ path, message: `${slack.urlEnv} is not set` });
    secrets.push(url);
    if (!/^https?:\/\/[^\s]+$/.test(url)) return problems.push({ path, message: `${slack.urlEnv} is not an http(s) URL` });
    if (hasUrlCredentials(url)) return problems.push({ path, message: `${slack.urlEnv} holds credentials (user:password@), which are never sent` });
    channels.push(slackChannel({ url, events: slack.events, label: `slack[${i}] (${slack.urlEnv})` }));
  });

  (config?.commands ?? []).forEach((hook, i) => {
    const file = isAbsolute(hook.run) ? hook.run : resolve(ctx.projectRoot, hook.run);
    try {
      accessSync(file, constants.X_OK);
    } catch {
      return problems.push({ path: `notify.commands[${i}].run`, message: `${hook.run} is missing or not executable` });
    }
    channels.push(
      commandChannel({ file, args: hook.args, cwd: ctx.projectRoot, executor: ctx.executor, events: hook.events, label: `commands[${i}] (${hook.run})` }),
    );
  });

  return { channels, problems, secrets };
}

function urlPathAndQuery(url: string): string[] {
  const parsed = new URL(url);
  const rest = `${parsed.pathname}${parsed.search}`;
  return rest.length > 1 ? [rest] : [];
}
