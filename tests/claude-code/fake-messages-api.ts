import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * CONTRACT TEST DOUBLE: a scripted stand-in for the Anthropic Messages API (POST /v1/messages, streaming SSE with
 * text and tool_use blocks), on loopback, so the real Claude Code client can be driven without the remote service.
 * It records every request. The replies come from a script, a function of the request: the model is scripted,
 * the client (command expansion, agents, hooks, permission prompts, the Bash tool) is real.
 */
export interface MessagesRequest {
  model: string;
  system?: Array<{ type: string; text: string }> | string;
  messages: Message[];
  tools?: Array<{ name: string }>;
  stream?: boolean;
}

export interface Message {
  role: 'user' | 'assistant' | 'system';
  content: string | ContentBlock[];
}

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content: string | Array<{ type: string; text?: string }>; is_error?: boolean };

export type Reply = { text: string } | { tool: string; input: Record<string, unknown> };
export type Script = (request: MessagesRequest) => Reply;

export interface FakeMessagesApi {
  url: string;
  /** Every POST /v1/messages body, in arrival order. */
  requests: MessagesRequest[];
  close(): Promise<void>;
}

export async function startFakeMessagesApi(script: Script): Promise<FakeMessagesApi> {
  const requests: MessagesRequest[] = [];
  let counter = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.startsWith('/v1/messages')) {
        // The client probes the base URL at start-up; anything but messages gets an empty answer.
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as MessagesRequest;
      if (req.url.includes('count_tokens')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: 1 }));
        return;
      }
      requests.push(body);
      let reply: Reply;
      try {
        reply = script(body);
      } catch (error) {
        reply = { text: `fake model script failed: ${(error as Error).message}` };
      }
      stream(res, body.model, `msg_fake_${++counter}`, reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function stream(res: import('node:http').ServerResponse, model: string, id: string, reply: Reply): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  event('message_start', {
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 1, output_tokens: 1 } },
  });
  if ('tool' in reply) {
    event('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: reply.tool, input: {} } });
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(reply.input) } });
  } else {
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: reply.text } });
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: 'tool' in reply ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } });
  event('message_stop', {});
  res.end();
}

/** The text of a system prompt, whatever its form. */
export function systemText(request: MessagesRequest): string {
  return typeof request.system === 'string' ? request.system : (request.system ?? []).map((block) => block.text).join('\n');
}

/** Requests made for a subagent carry cc_is_subagent in their billing line; the rest are the parent conversation's. */
export const isSubagent = (request: MessagesRequest) => systemText(request).includes('cc_is_subagent=true');

/** The text of a tool_result's content. */
export function resultText(block: Extract<ContentBlock, { type: 'tool_result' }>): string {
  return typeof block.content === 'string' ? block.content : block.content.map((part) => part.text ?? '').join('\n');
}

export function blocks(message: Message): ContentBlock[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}
