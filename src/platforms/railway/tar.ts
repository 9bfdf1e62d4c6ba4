/**
 * A minimal ustar writer (regular files only; long paths through a pax header), enough for Railway's upload.
 * Entries get a fixed mtime so the same tree gives the same archive.
 */
export interface TarEntry {
  path: string;
  data: Uint8Array;
  executable: boolean;
}

const BLOCK = 512;
const MTIME = 1_700_000_000; // a fixed time keeps archives reproducible

export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const chunks: Buffer[] = [];
  for (const entry of entries) {
    const { name, prefix } = splitPath(entry.path);
    if (name === null) {
      const pax = paxRecord('path', entry.path);
      chunks.push(header({ name: 'PaxHeader', prefix: '', size: pax.length, mode: 0o644, type: 'x' }), pad(pax));
      chunks.push(header({ name: entry.path.slice(-99), prefix: '', size: entry.data.length, mode: entry.executable ? 0o755 : 0o644, type: '0' }), pad(Buffer.from(entry.data)));
    } else {
      chunks.push(header({ name, prefix, size: entry.data.length, mode: entry.executable ? 0o755 : 0o644, type: '0' }), pad(Buffer.from(entry.data)));
    }
  }
  chunks.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(chunks);
}

function splitPath(path: string): { name: string | null; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  return { name: null, prefix: '' };
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  let digits = String(length).length;
  while (String(length + digits).length !== digits) digits += 1;
  length += digits;
  return Buffer.from(`${length}${body}`);
}

function header(h: { name: string; prefix: string; size: number; mode: number; type: string }): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(h.name, 0, 100, 'utf8');
  octal(block, h.mode, 100, 8);
  octal(block, 0, 108, 8);
  octal(block, 0, 116, 8);
  octal(block, h.size, 124, 12);
  octal(block, MTIME, 136, 12);
  block.fill(0x20, 148, 156);
  block.write(h.type, 156, 1, 'ascii');
  block.write('ustar\u0000', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  block.write(h.prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
  return block;
}

function octal(block: Buffer, value: number, offset: number, length: number): void {
  block.write(value.toString(8).padStart(length - 1, '0') + '\u0000', offset, length, 'ascii');
}

function pad(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
