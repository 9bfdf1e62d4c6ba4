import { type Agent, type IncomingMessage, request as sendHttp } from 'node:http';
import { request as sendHttps } from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequestOptions {
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  /** Covers connecting, the head and the whole body. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** A keep-alive agent to reuse connections. Without one, each request has its own connection, closed after it. */
  agent?: Agent;
  /** 'text': read and decode the body. 'drain': read it to the end and drop it (probes). Default 'text'. */
  body?: 'text' | 'drain';
}

export interface HttpAnswer {
  status: number;
  /** A response header by name (any case); repeated ones joined with ", ". */
  header(name: string): string | null;
  /** The decoded body; empty when drained. */
  body: string;
}

/** What node's fetch sends unless told otherwise: requests that replace a fetch send them, so apps answer as before. */
export const FETCH_DEFAULT_HEADERS: Readonly<Record<string, string>> = { accept: '*/*', 'accept-encoding': 'gzip, deflate' };

/**
 * One HTTP request on node:http, for the deploy's own requests (smoke, probes, health reports). Node's fetch costs
 * ~70 ms of CPU on its first call in a process (it loads its undici and compiles llhttp's wasm), right when a deploy
 * starts green. Redirects are never followed. Rejects with an error named 'TimeoutError' or 'AbortError', or with
 * node's own (ECONNREFUSED...), as `describeRequestError` reads them. Sends only the given headers (and node's Host and
 * Connection); a compressed body is decoded.
 */
export function httpRequest(url: string | URL, options: HttpRequestOptions): Promise<HttpAnswer> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const send = target.protocol === 'https:' ? sendHttps : sendHttp;
  const { signal, timeoutMs } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    let settled = false;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanUp();
      req.destroy();
      reject(error);
    };
    const onAbort = () => fail(abortError());
    const timer = setTimeout(() => fail(timeoutError(timeoutMs)), timeoutMs);
    const cleanUp = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort);

    const req = send(
      target,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: options.agent ?? false },
      (res) => {
        readBody(res, options.body ?? 'text').then((body) => {
          if (settled) return;
          settled = true;
          cleanUp();
          resolve({ status: res.statusCode ?? 0, header: (name) => headerValue(res, name), body });
        }, fail);
      },
    );
    req.on('error', fail);
    req.end();
  });
}

async function readBody(res: IncomingMessage, mode: 'text' | 'drain'): Promise<string> {
  // A body cut short by the server throws ECONNRESET here.
  if (mode === 'drain') {
    for await (const _chunk of res) void _chunk;
    return '';
  }
  const chunks: Buffer[] = [];
  for await (const chunk of await decoded(res)) chunks.push(chunk as Buffer);
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The body without its content-encoding; zlib loads only for a compressed body. An unknown coding stays as it is. */
async function decoded(res: IncomingMessage): Promise<Readable> {
  const coding = res.headers['content-encoding']?.trim().toLowerCase();
  if (!coding || coding === 'identity') return res;
  const zlib = await import('node:zlib');
  const decoder =
    coding === 'gzip' || coding === 'x-gzip' ? zlib.createGunzip() : coding === 'deflate' ? zlib.createInflate() : coding === 'br' ? zlib.createBrotliDecompress() : null;
  if (!decoder) return res;
  res.on('error', (error) => decoder.destroy(error));
  return res.pipe(decoder);
}

function headerValue(res: IncomingMessage, name: string): string | null {
  const value = res.headers[name.toLowerCase()];
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`timed out after ${timeoutMs}ms`);
  error.name = 'TimeoutError';
  return error;
}

function abortError(): Error {
  const error = new Error('aborted');
  error.name = 'AbortError';
  return error;
}
