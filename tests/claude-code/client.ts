import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../setup/build.js';

/** The real Claude Code client: the dev dependency @anthropic-ai/claude-code, run through its own wrapper. */
export const CLAUDE_WRAPPER = join(ROOT, 'node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs');
const APPROVER = join(ROOT, 'tests/claude-code/approver-mcp.mjs');

export interface ClaudeRun {
  code: number | null;
  /** The final answer (`result` of --output-format json). */
  result: string;
  stdout: string;
  stderr: string;
}

export interface ClaudeOptions {
  cwd: string;
  home: string;
  apiUrl: string;
  /** Extra CLI arguments (e.g. --plugin-dir). */
  args?: string[];
  /** Answer permission prompts through the approver MCP server: 'allow' or 'deny'. Without it, -p refuses them. */
  approver?: { answer: 'allow' | 'deny'; log: string };
  timeoutMs?: number;
}

/** A throwaway HOME, so no user setting, plugin or login of this machine takes part. */
export function throwawayHome(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'claude-home-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Environment for the client: only the fake API, no telemetry, no updater, no nonessential traffic. */
export function clientEnv(home: string, apiUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'LANG', 'TERM', 'TMPDIR']) if (process.env[name]) env[name] = process.env[name];
  return {
    ...env,
    HOME: home,
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: 'sk-ant-test-dummy',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    NO_COLOR: '1',
  };
}

/** The client's error when the permission prompt tool's MCP server had not connected yet (its start-up race). */
const PROMPT_TOOL_NOT_CONNECTED = /passed via --permission-prompt-tool\) not found\. Available MCP tools: none/;

/**
 * `claude -p <prompt>` headless, answer as JSON. On a loaded machine the client can check for the permission
 * prompt tool before its MCP server has connected, and exits 1 before sending any request: that one start-up
 * error is retried once; anything else is returned as it is.
 */
export async function runClaude(prompt: string, options: ClaudeOptions): Promise<ClaudeRun> {
  const run = await runClaudeOnce(prompt, options);
  if (run.code !== 1 || !options.approver || !PROMPT_TOOL_NOT_CONNECTED.test(run.stderr)) return run;
  return runClaudeOnce(prompt, options);
}

function runClaudeOnce(prompt: string, options: ClaudeOptions): Promise<ClaudeRun> {
  const args = ['-p', prompt, '--output-format', 'json', ...(options.args ?? [])];
  const env = clientEnv(options.home, options.apiUrl);
  if (options.approver) {
    const config = join(options.home, 'approver.mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { approver: { command: process.execPath, args: [APPROVER] } } }));
    args.push('--mcp-config', config, '--permission-prompt-tool', 'mcp__approver__answer');
    env.APPROVER_ANSWER = options.approver.answer;
    env.APPROVER_LOG = options.approver.log;
    env.MCP_TIMEOUT = '120000';
    // The client connects MCP servers in the background by default, and can look for the prompt tool before this one
    // is up; "0" makes it wait for the connection first.
    env.MCP_CONNECTION_NONBLOCKING = '0';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLAUDE_WRAPPER, ...args], { cwd: options.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let result = '';
      try {
        result = String((JSON.parse(stdout) as { result?: string }).result ?? '');
      } catch {
        // Not JSON: the caller sees stdout and stderr.
      }
      resolve({ code, result, stdout, stderr });
    });
  });
}
