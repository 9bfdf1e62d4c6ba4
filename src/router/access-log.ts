import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const ACCESS_LOG_FILE = 'access.log';

export interface AccessLogOptions {
  /** The file is rotated once it passes this many bytes. Default 10 MiB. */
  maxBytes?: number;
  /** Rotated files kept (access.log.1 … access.log.N); older ones are deleted. Default 5. */
  keep?: number;
  /** Entries are written at least this often. Default 1 s. */
  flushMs?: number;
}

/** Entries buffered before a write is started without waiting for the timer. */
const FLUSH_ENTRIES = 4096;

/**
 * The router's access log: one JSON line per request (time, method, path, status, bytes, duration, release, client).
 * The proxy only pushes the raw values into arrays; the lines are formatted and appended in batches off the request
 * path, at most once per `flushMs` or every few thousand requests. Rotation by size, retention by count.
 */
export class AccessLog {
  private time: number[] = [];
  private fields: (string | number)[] = [];
  private handle: FileHandle | null = null;
  private size = 0;
  private writing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly maxBytes: number;
  private readonly keep: number;
  readonly path: string;

  constructor(stateDir: string, options: AccessLogOptions = {}) {
    this.path = join(stateDir, ACCESS_LOG_FILE);
    this.maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
    this.keep = options.keep ?? 5;
    this.timer = setInterval(() => void this.flush(), options.flushMs ?? 1000).unref();
  }

  /** One finished request; `durationMs` from its head to its end. Called on the request path: no formatting here. */
  add(method: string, path: string, status: number, bytes: number, durationMs: number, release: string, client: string): void {
    this.time.push(Date.now());
    this.fields.push(method, path, status, bytes, durationMs, release, client);
    if (this.time.length >= FLUSH_ENTRIES) void this.flush();
  }

  /** Writes what is buffered; resolves once it is in the file. */
  flush(): Promise<void> {
    if (this.time.length === 0) return this.writing;
    const time = this.time;
    const fields = this.fields;
    this.time = [];
    this.fields = [];
    this.writing = this.writing.then(() => this.write(format(time, fields))).catch(() => undefined);
    return this.writing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.writing;
    await this.handle?.close();
    this.handle = null;
  }

  private async write(text: string): Promise<void> {
    if (this.handle === null) {
      this.handle = await open(this.path, 'a', 0o600);
      this.size = (await this.handle.stat()).size;
    }
    await this.handle.write(text);
    this.size += Buffer.byteLength(text);
    if (this.size >= this.maxBytes) await this.rotate();
  }

  /** access.log → access.log.1 → … → access.log.<keep>; the oldest is deleted. */
  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = null;
    await rm(`${this.path}.${this.keep}`, { force: true });
    for (let n = this.keep - 1; n >= 1; n--) {
      const from = `${this.path}.${n}`;
      if (await stat(from).then(() => true, () => false)) await rename(from, `${this.path}.${n + 1}`);
    }
    if (this.keep > 0) await rename(this.path, `${this.path}.1`);
    else await rm(this.path, { force: true });
  }
}

/**
 * The JSON lines of a batch. Written by hand: the ISO time is made once per second (entries come in time order), and
 * only the path can hold a character JSON must escape (method, release and address are tokens).
 */
function format(time: number[], fields: (string | number)[]): string {
  let out = '';
  let second = -1;
  let prefix = '';
  for (let i = 0, f = 0; i < time.length; i++, f += 7) {
    const t = time[i];
    const s = Math.floor(t / 1000);
    if (s !== second) {
      second = s;
      prefix = new Date(s * 1000).toISOString().slice(0, 20);
    }
    const ms = t - s * 1000;
    const path = fields[f + 1] as string;
    out +=
      `{"time":"${prefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z","method":"${fields[f]}","path":${needsEscape(path) ? JSON.stringify(path) : `"${path}"`},` +
      `"status":${fields[f + 2]},"bytes":${fields[f + 3]},"durationMs":${Math.round((fields[f + 4] as number) * 1000) / 1000},"release":"${fields[f + 5]}","client":"${fields[f + 6]}"}\n`;
  }
  return out;
}

function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 || c === 0x5c || c < 0x20 || c > 0x7e) return true;
  }
  return false;
}
