#!/usr/bin/env node
// A minimal stdio MCP server with one tool, `answer`, for `claude -p --permission-prompt-tool mcp__approver__answer`:
// in headless mode Claude Code calls it wherever the interactive client would show a permission dialog. It stands in
// for the user: APPROVER_ANSWER=allow approves, anything else refuses. Each call is appended to APPROVER_LOG.
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const send = (message) => process.stdout.write(JSON.stringify({ jsonrpc: '2.0', ...message }) + '\n');
const tool = {
  name: 'answer',
  description: 'Answers a permission prompt for the user',
  inputSchema: { type: 'object', properties: { tool_name: { type: 'string' }, input: { type: 'object' }, tool_use_id: { type: 'string' } } },
};

createInterface({ input: process.stdin }).on('line', (line) => {
  const message = JSON.parse(line);
  if (message.method === 'initialize') {
    send({ id: message.id, result: { protocolVersion: message.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'approver', version: '1.0.0' } } });
  } else if (message.method === 'tools/list') {
    send({ id: message.id, result: { tools: [tool] } });
  } else if (message.method === 'tools/call') {
    const asked = message.params.arguments;
    if (process.env.APPROVER_LOG) appendFileSync(process.env.APPROVER_LOG, JSON.stringify(asked) + '\n');
    const decision =
      process.env.APPROVER_ANSWER === 'allow' ? { behavior: 'allow', updatedInput: asked.input } : { behavior: 'deny', message: 'The user refused this call.' };
    send({ id: message.id, result: { content: [{ type: 'text', text: JSON.stringify(decision) }] } });
  } else if (message.id !== undefined) {
    send({ id: message.id, result: {} });
  }
});
