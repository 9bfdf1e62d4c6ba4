import { countTokens as o200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as anthropicLegacy } from '@anthropic-ai/tokenizer';
import { blocks, isSubagent, resultText, type MessagesRequest } from './fake-messages-api.js';

/**
 * What a deploy puts into the parent conversation, from the recorded requests: the expanded command the user
 * typed, the model's tool calls, the tool results (the agent's answer and Claude Code's trailer) and the final
 * reply. The date reminder that every conversation starts with is left out, and so are the system prompt and
 * tool list, which are the same with or without a deploy (their plugin share is the always-on cost).
 *
 * Two tokenizers: o200k_base (gpt-tokenizer) and @anthropic-ai/tokenizer, the tokenizer Anthropic published on
 * npm. The latter is the Claude 2 era vocabulary; the tokenizer of current Claude models is not published, so
 * that column is an approximation, labelled as such wherever it is reported.
 */
export interface ParentParts {
  prompt: string[];
  calls: string[];
  results: string[];
  reply: string;
}

export function parentParts(requests: MessagesRequest[], reply: string): ParentParts {
  const parent = requests.filter((r) => !isSubagent(r));
  const last = parent.at(-1);
  const parts: ParentParts = { prompt: [], calls: [], results: [], reply };
  if (!last) return parts;
  for (const message of last.messages) {
    if (message.role === 'system') continue;
    for (const block of blocks(message)) {
      if (block.type === 'text') {
        if (message.role === 'user' && /^<system-reminder>\nAs you answer the user's questions/.test(block.text)) continue;
        (message.role === 'user' ? parts.prompt : parts.calls).push(block.text);
      } else if (block.type === 'tool_use') parts.calls.push(`${block.name} ${JSON.stringify(block.input)}`);
      else if (block.type === 'tool_result') parts.results.push(resultText(block));
    }
  }
  return parts;
}

export interface TokenCount {
  o200k: number;
  anthropic: number;
}

export function count(text: string): TokenCount {
  return { o200k: o200k(text), anthropic: anthropicLegacy(text) };
}

export function parentTokens(parts: ParentParts): TokenCount & { text: string } {
  const text = [...parts.prompt, ...parts.calls, ...parts.results, parts.reply].join('\n');
  return { ...count(text), text };
}
