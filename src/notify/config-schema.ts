import * as z from 'zod';
import { NOTIFY_EVENT_TYPES } from './event.js';

/**
 * The `notify:` block of deploy.config.yaml, for the lead to mount in
 * src/config/schema.ts. Secrets are referenced by env var name only, so the
 * config file itself never holds one.
 */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const varName = (description: string) =>
  z.string().regex(VAR_NAME, { error: 'expected a variable name like SLACK_WEBHOOK_URL' }).describe(description);

const events = z
  .array(z.enum(NOTIFY_EVENT_TYPES, { error: `expected one of ${NOTIFY_EVENT_TYPES.join(', ')}` }))
  .min(1, { error: 'list at least one event, or leave `events` out for all' })
  .optional()
  .describe('Events sent to this destination. Default: all.');

/** `https://user:pass@host/`: fetch refuses such a URL, and the credentials would sit in the config and in history. */
export function hasUrlCredentials(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '';
  } catch {
    return false;
  }
}

export const NotifyWebhookSchema = z.strictObject({
  url: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL' })
    .refine((url) => !hasUrlCredentials(url), { error: 'must not hold credentials (user:password@ or a token before @); the signature from secretEnv authenticates the body' })
    .describe('Endpoint that receives the signed JSON body. Credentials in the URL (user:password@) are refused.'),
  secretEnv: varName('Env var holding the HMAC-SHA256 key for the X-Shipgate-Signature header.'),
  events,
});

export const NotifySlackSchema = z.strictObject({
  urlEnv: varName('Env var holding the Slack incoming-webhook URL (a credential, so never written in the config).'),
  events,
});

export const NotifyCommandSchema = z.strictObject({
  run: z.string().min(1, { error: 'must not be empty' }).describe('Executable, relative to the project root; gets the JSON on stdin. Run without a shell.'),
  args: z.array(z.string()).optional().describe('Arguments passed as they are.'),
  events,
});

export const NotifySchema = z
  .strictObject({
    webhooks: z.array(NotifyWebhookSchema).optional().describe('Generic JSON webhooks.'),
    slack: z.array(NotifySlackSchema).optional().describe('Slack incoming webhooks.'),
    commands: z.array(NotifyCommandSchema).optional().describe('Local command hooks.'),
  })
  .describe('Where deploy, rollback, guard and lock events are sent. Delivery is retried and never blocks a deploy.');

export type NotifyConfig = z.infer<typeof NotifySchema>;
