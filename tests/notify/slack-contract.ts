import * as z from 'zod';

/**
 * Slack's documented incoming-webhook payload, as far as we use it
 * (api.slack.com/messaging/webhooks and the Block Kit reference,
 * api.slack.com/reference/block-kit/blocks):
 * - POST application/json with `text` (required fallback when `blocks` is used) and `blocks`;
 * - at most 50 blocks; header: plain_text <= 150 chars; section: text <= 3000
 *   chars and/or fields (<= 10, each <= 2000 chars), one of them required;
 *   context: 1..10 image or text elements; divider: no content;
 * - text objects are {type: plain_text|mrkdwn, text, emoji? (plain_text only), verbatim? (mrkdwn only)};
 * - in text, `&`, `<` and `>` are control characters and must be escaped, except inside <url> links.
 */
const plainText = z.strictObject({ type: z.literal('plain_text'), text: z.string().min(1), emoji: z.boolean().optional() });
const mrkdwn = z.strictObject({ type: z.literal('mrkdwn'), text: z.string().min(1), verbatim: z.boolean().optional() });
const textObject = z.union([plainText, mrkdwn]);

const header = z.strictObject({ type: z.literal('header'), text: plainText.refine((t) => t.text.length <= 150, 'header text over 150'), block_id: z.string().max(255).optional() });
const section = z
  .strictObject({
    type: z.literal('section'),
    text: textObject.refine((t) => t.text.length <= 3000, 'section text over 3000').optional(),
    fields: z.array(textObject.refine((t) => t.text.length <= 2000, 'field over 2000')).min(1).max(10).optional(),
    block_id: z.string().max(255).optional(),
  })
  .refine((s) => s.text !== undefined || s.fields !== undefined, 'section needs text or fields');
const context = z.strictObject({ type: z.literal('context'), elements: z.array(textObject).min(1).max(10), block_id: z.string().max(255).optional() });
const divider = z.strictObject({ type: z.literal('divider'), block_id: z.string().max(255).optional() });

export const SlackWebhookPayload = z.strictObject({
  text: z.string().min(1),
  blocks: z.array(z.union([header, section, context, divider])).min(1).max(50),
  mrkdwn: z.boolean().optional(),
  unfurl_links: z.boolean().optional(),
  unfurl_media: z.boolean().optional(),
  thread_ts: z.string().optional(),
});

/** Every text in the payload, for the escaping rule. */
export function allTexts(payload: z.infer<typeof SlackWebhookPayload>): string[] {
  const out = [payload.text];
  for (const block of payload.blocks) {
    if ('text' in block && block.text) out.push(block.text.text);
    if ('fields' in block && block.fields) out.push(...block.fields.map((f) => f.text));
    if ('elements' in block) out.push(...block.elements.map((e) => e.text));
  }
  return out;
}

/** No raw `&` (other than an entity) and no `<`/`>` outside a `<http…>` link. */
export function escapedProperly(text: string): boolean {
  const withoutLinks = text.replace(/<https?:\/\/[^\s<>|]+(\|[^<>]+)?>/g, '');
  return !/[<>]/.test(withoutLinks) && !/&(?!amp;|lt;|gt;)/.test(withoutLinks);
}
