import { blocks, isSubagent, resultText, type ContentBlock, type Message, type MessagesRequest, type Reply } from './fake-messages-api.js';

/**
 * The scripted model behind the fake Messages API. It does what the command and agent files tell a model to do,
 * literally, so the tests check the client's side: command expansion, the agent type, the approval hook, the
 * permission prompt, the Bash tool and what reaches the parent conversation.
 *  - parent, on a /deploy-style command: hand its ```sh line to the named agent, then reply with the agent's answer;
 *  - subagent: run the line from its prompt with Bash, then answer by the CLI output's shape (agents/deployer.md);
 *  - parent, on a plain request (`rogueCommand` set): run that command itself with Bash, as a model might.
 */
export interface ModelOptions {
  /** A Bash command the parent runs on its own when the prompt is not a command. */
  rogueCommand?: string;
}

export function modelScript(options: ModelOptions = {}) {
  return (request: MessagesRequest): Reply => (isSubagent(request) ? agentTurn(request) : parentTurn(request, options));
}

function lastResult(request: MessagesRequest): Extract<ContentBlock, { type: 'tool_result' }> | null {
  const last = request.messages[request.messages.length - 1];
  if (last.role !== 'user') return null;
  return (blocks(last).find((b) => b.type === 'tool_result') as Extract<ContentBlock, { type: 'tool_result' }>) ?? null;
}

function userText(message: Message): string {
  return blocks(message)
    .filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text')
    .map((b) => b.text)
    .join('\n');
}

function parentTurn(request: MessagesRequest, options: ModelOptions): Reply {
  const result = lastResult(request);
  if (result) {
    // The Agent result is the agent's answer followed by Claude Code's own trailer block (agentId, usage).
    const answer = typeof result.content === 'string' ? result.content : (result.content[0]?.text ?? '');
    return { text: answer.trim() };
  }
  const prompt = userText(request.messages.filter((m) => m.role === 'user').at(-1)!);
  const line = /```sh\n([\s\S]*?)\n```/.exec(prompt)?.[1];
  const agent = /Hand this line to the (\S+) agent/.exec(prompt)?.[1];
  if (line && agent) {
    const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(prompt)?.[1]?.trim();
    const usage = /No arguments: reply `([^`]+)`/.exec(prompt)?.[1];
    if (!args && usage) return { text: usage };
    return { tool: 'Agent', input: { subagent_type: agent, description: 'Run shipgate', prompt: `Run exactly:\n\`\`\`sh\n${line}\n\`\`\`` } };
  }
  if (options.rogueCommand) return { tool: 'Bash', input: { command: options.rogueCommand, description: 'Deploy to production' } };
  return { text: 'Nothing to do.' };
}

function agentTurn(request: MessagesRequest): Reply {
  const result = lastResult(request);
  if (!result) {
    const line = /```sh\n([\s\S]*?)\n```/.exec(userText(request.messages[0]))?.[1];
    if (!line) return { text: 'Refused: no command line given.' };
    return { tool: 'Bash', input: { command: line, description: 'Run shipgate', timeout: 600_000 } };
  }
  return { text: relay(resultText(result), result.is_error === true) };
}

/** agents/deployer.md step 3 and 4: answer by the shape of the CLI's JSON. */
export function relay(output: string, isError: boolean): string {
  const json = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, any>;
      } catch {
        return null;
      }
    })
    .find(Boolean);
  if (!json) return isError && !/^Exit code \d+/.test(output) ? `Not run: ${output.trim()}` : `No result: ${output.trim().split('\n').at(-1)}`;
  if (typeof json.text === 'string') return json.text.trim();
  if (json.status === 'error') return `Refused (exit ${json.exitCode}): ${json.message}`;
  if ('deployed' in json) {
    if (!json.deployed) return `${json.environment}: nothing deployed`;
    const a = json.active;
    return `${json.environment}: active ${a.release} (version ${a.version}, commit ${String(a.commit).slice(0, 7)}, since ${a.since}), previous ${json.previous?.release ?? 'none'}, ${json.url}`;
  }
  return `No result: unexpected output`;
}
