import type { PostCheckResult } from '../contracts/summary.js';
import { shippedDetails, shippedHeadline } from '../shipped/format.js';
import { type NotifyEvent, type NotifyStatus, describeRelease } from './event.js';

/**
 * Slack incoming-webhook payload: `text` is the notification fallback,
 * `blocks` the Block Kit layout. Limits from Slack's Block Kit reference:
 * header plain_text <= 150 chars, section text <= 3000, section fields <= 10
 * of <= 2000 each, context elements <= 10, at most 50 blocks per message.
 */
export interface SlackText {
  type: 'plain_text' | 'mrkdwn';
  text: string;
  emoji?: boolean;
}
export type SlackBlock =
  | { type: 'header'; text: SlackText & { type: 'plain_text' } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'divider' };

export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export const SLACK_LIMITS = { header: 150, sectionText: 3000, fields: 10, fieldText: 2000, contextElements: 10, blocks: 50 } as const;

const icon: Record<NotifyStatus, string> = {
  started: ':rocket:',
  success: ':white_check_mark:',
  failed: ':x:',
  rolled_back: ':rewind:',
  alert: ':rotating_light:',
  expired: ':hourglass:',
  info: ':information_source:',
};

/** Slack's three control characters in mrkdwn and plain text; everything else is literal. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Header text is plain_text: drop the control characters instead of escaping them, so no entity shows literally. */
function plainSafe(text: string): string {
  return text.replace(/[<>]/g, '').replace(/&/g, '+');
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // Never cut an escape like &amp; in half: a lone & would be read as a control character.
  return `${text.slice(0, max - 1).replace(/&[a-z]*$/, '')}…`;
}

function mrkdwn(text: string, max: number = SLACK_LIMITS.sectionText): SlackText {
  return { type: 'mrkdwn', text: clip(text, max) };
}

function field(label: string, value: string): SlackText {
  return mrkdwn(`*${label}*\n${escapeSlack(value)}`, SLACK_LIMITS.fieldText);
}

function figureLine(f: PostCheckResult): string {
  return `${f.ok ? ':white_check_mark:' : ':x:'} *${escapeSlack(f.name)}*: ${escapeSlack(f.value)} (${escapeSlack(f.threshold)})`;
}

/** Only http(s) URLs become links; anything else is shown as text. */
function link(url: string): string {
  return /^https?:\/\//.test(url) && !/[\s|<>]/.test(url) ? `<${url}>` : escapeSlack(url);
}

export function slackMessage(event: NotifyEvent): SlackMessage {
  const title = `${event.app ? `${event.app} ` : ''}${event.environment}: ${event.type}`;
  const fields: SlackText[] = [
    field('Environment', event.environment),
    field('Status', event.status.replace('_', ' ')),
    field('Release', describeRelease(event.release)),
    ...(event.previous ? [field('Previous', describeRelease(event.previous))] : []),
    field('By', event.host ? `${event.actor} on ${event.host}` : event.actor),
    ...(event.url ? [mrkdwn(`*URL*\n${link(event.url)}`, SLACK_LIMITS.fieldText)] : []),
  ].slice(0, SLACK_LIMITS.fields);
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(plainSafe(`${icon[event.status]} ${title}`), SLACK_LIMITS.header), emoji: true } },
    { type: 'section', text: mrkdwn(`${icon[event.status]} ${escapeSlack(event.summary)}${event.reason ? `\n*Reason:* ${escapeSlack(event.reason)}` : ''}`) },
    { type: 'section', fields },
  ];
  if (event.figures.length > 0) {
    blocks.push({ type: 'section', text: mrkdwn(event.figures.map(figureLine).join('\n')) });
  }
  if (event.shipped) {
    const details = shippedDetails(event.shipped, { commits: 5, width: 150 }).map((line) => `• ${escapeSlack(line)}`);
    blocks.push({ type: 'section', text: mrkdwn([`*What shipped:* ${escapeSlack(shippedHeadline(event.shipped))}`, ...details].join('\n')) });
  }
  blocks.push({ type: 'context', elements: [mrkdwn(`shipgate · ${escapeSlack(event.time)}`)] });
  return { text: clip(escapeSlack(event.summary), SLACK_LIMITS.sectionText), blocks };
}
