/**
 * Finds where a chunked body ends in a byte stream without decoding it: the proxy relays the bytes as they are, so
 * it only needs to know where the message stops. Strict: hex sizes of at most 15 digits, CRLF line ends, bounded
 * extensions and trailers.
 */
export class ChunkedError extends Error {}

const SIZE = 0;
const EXT_NAME = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER_START = 6;
const TRAILER_VALUE = 7;
const TRAILER_LF = 8;
const END_LF = 9;
const DONE = 10;
const EXT_VALUE = 11;
const EXT_QUOTED = 12;
const EXT_ESCAPE = 13;
const EXT_QUOTE_END = 14;
const TRAILER_NAME = 15;

const MAX_SIZE_DIGITS = 15;
const MAX_EXTENSION = 4096;
const MAX_TRAILERS = 16 * 1024;

/** RFC 9110 tchar. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = TOKEN[c + 0x20] = 1;

/** Trailer fields that would change framing: refused, as node refuses them. */
const CONTENT_LENGTH = 'content-length';
const TRANSFER_ENCODING = 'transfer-encoding';

const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) HEX[0x41 + i] = HEX[0x61 + i] = 10 + i;

export class ChunkedScanner {
  private state = SIZE;
  private size = 0;
  private digits = 0;
  private remaining = 0;
  private extension = 0;
  private trailers = 0;
  /** Length of the trailer name read so far, and whether it still spells one of the framing fields. */
  private nameLength = 0;
  private framingName = 0;

  get done(): boolean {
    return this.state === DONE;
  }

  /**
   * Scans `buf` from `start`. Returns the index just past the body's last byte when the body ends inside `buf`, or
   * -1 when all of it belongs to the body and more is to come. Throws ChunkedError on malformed framing.
   */
  scan(buf: Buffer, start: number): number {
    const length = buf.length;
    let i = start;
    while (i < length) {
      switch (this.state) {
        case DATA: {
          const take = Math.min(this.remaining, length - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.state = DATA_CR;
          continue;
        }
        case SIZE: {
          const c = buf[i++];
          const value = HEX[c];
          if (value >= 0) {
            if (++this.digits > MAX_SIZE_DIGITS) throw new ChunkedError('chunk size too large');
            this.size = this.size * 16 + value;
          } else if (this.digits === 0) throw new ChunkedError('chunk size missing');
          else if (c === 0x0d) this.state = SIZE_LF;
          else if (c === 0x3b) {
            this.extension = 0;
            this.state = EXT_NAME;
          } else throw new ChunkedError('invalid chunk size');
          continue;
        }
        // Chunk extensions as node's parser reads them: `;name[=token|"quoted"]`, no whitespace, repeated.
        case EXT_NAME:
        case EXT_VALUE:
        case EXT_QUOTED:
        case EXT_ESCAPE:
        case EXT_QUOTE_END: {
          const c = buf[i++];
          if (++this.extension > MAX_EXTENSION) throw new ChunkedError('chunk extension too long');
          this.extensionByte(c);
          continue;
        }
        case SIZE_LF:
          if (buf[i++] !== 0x0a) throw new ChunkedError('expected LF after chunk size');
          if (this.size === 0) this.state = TRAILER_START;
          else {
            this.remaining = this.size;
            this.state = DATA;
          }
          this.size = 0;
          this.digits = 0;
          continue;
        case DATA_CR:
          if (buf[i++] !== 0x0d) throw new ChunkedError('expected CRLF after chunk data');
          this.state = DATA_LF;
          continue;
        case DATA_LF:
          if (buf[i++] !== 0x0a) throw new ChunkedError('expected CRLF after chunk data');
          this.state = SIZE;
          continue;
        case TRAILER_START: {
          const c = buf[i++];
          if (c === 0x0d) this.state = END_LF;
          else {
            this.nameLength = 0;
            this.framingName = 3;
            this.trailerName(c);
            this.state = TRAILER_NAME;
          }
          continue;
        }
        case TRAILER_NAME:
          this.trailerName(buf[i++]);
          continue;
        case TRAILER_VALUE: {
          const c = buf[i++];
          if (c === 0x0d) this.state = TRAILER_LF;
          else this.trailerByte(c);
          continue;
        }
        case TRAILER_LF:
          if (buf[i++] !== 0x0a) throw new ChunkedError('expected LF after trailer');
          this.state = TRAILER_START;
          continue;
        case END_LF:
          if (buf[i++] !== 0x0a) throw new ChunkedError('expected LF after last chunk');
          this.state = DONE;
          return i;
        default:
          return i;
      }
    }
    return -1;
  }

  private extensionByte(c: number): void {
    if (c === 0x0d) {
      if (this.state === EXT_QUOTED || this.state === EXT_ESCAPE) throw new ChunkedError('unterminated quoted chunk extension');
      this.state = SIZE_LF;
      return;
    }
    switch (this.state) {
      case EXT_NAME:
        if (c === 0x3d) this.state = EXT_VALUE;
        else if (c !== 0x3b && TOKEN[c] !== 1) throw new ChunkedError('invalid chunk extension');
        return;
      case EXT_VALUE:
        if (c === 0x22) this.state = EXT_QUOTED;
        else if (c === 0x3b) this.state = EXT_NAME;
        else if (TOKEN[c] !== 1) throw new ChunkedError('invalid chunk extension');
        return;
      case EXT_QUOTED:
        if (c === 0x22) this.state = EXT_QUOTE_END;
        else if (c === 0x5c) this.state = EXT_ESCAPE;
        else if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new ChunkedError('invalid chunk extension');
        return;
      case EXT_ESCAPE:
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new ChunkedError('invalid chunk extension');
        this.state = EXT_QUOTED;
        return;
      default:
        if (c !== 0x3b) throw new ChunkedError('invalid chunk extension');
        this.state = EXT_NAME;
    }
  }

  /** One byte of a trailer field name: a token up to the colon, with no whitespace before it. */
  private trailerName(c: number): void {
    if (++this.trailers > MAX_TRAILERS) throw new ChunkedError('trailers too large');
    if (c === 0x3a) {
      const n = this.nameLength;
      if (n === 0) throw new ChunkedError('trailer without a name');
      if (((this.framingName & 1) !== 0 && n === CONTENT_LENGTH.length) || ((this.framingName & 2) !== 0 && n === TRANSFER_ENCODING.length)) {
        throw new ChunkedError('framing field in trailers');
      }
      this.state = TRAILER_VALUE;
      return;
    }
    if (TOKEN[c] !== 1) throw new ChunkedError('invalid trailer line');
    const lower = c | 0x20;
    const n = this.nameLength++;
    if (CONTENT_LENGTH.charCodeAt(n) !== lower) this.framingName &= ~1;
    if (TRANSFER_ENCODING.charCodeAt(n) !== lower) this.framingName &= ~2;
  }

  private trailerByte(c: number): void {
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new ChunkedError('invalid trailer');
    if (++this.trailers > MAX_TRAILERS) throw new ChunkedError('trailers too large');
  }
}
