/**
 * Finds where a chunked body ends in a byte stream without decoding it: the proxy relays the bytes as they are, so
 * it only needs to know where the message stops. Strict: hex sizes of at most 15 digits, CRLF line ends, bounded
 * extensions and trailers.
 */
export class ChunkedError extends Error {}

const SIZE = 0;
const EXT = 1;
const SIZE_LF = 2;
const DATA = 3;
const DATA_CR = 4;
const DATA_LF = 5;
const TRAILER_START = 6;
const TRAILER_LINE = 7;
const TRAILER_LF = 8;
const END_LF = 9;
const DONE = 10;

const MAX_SIZE_DIGITS = 15;
const MAX_EXTENSION = 4096;
const MAX_TRAILERS = 16 * 1024;

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
          else if (c === 0x3b || c === 0x20 || c === 0x09) {
            this.extension = 0;
            this.state = EXT;
          } else throw new ChunkedError('invalid chunk size');
          continue;
        }
        case EXT: {
          const c = buf[i++];
          if (c === 0x0d) this.state = SIZE_LF;
          else if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new ChunkedError('invalid chunk extension');
          else if (++this.extension > MAX_EXTENSION) throw new ChunkedError('chunk extension too long');
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
            this.trailerByte(c);
            this.state = TRAILER_LINE;
          }
          continue;
        }
        case TRAILER_LINE: {
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

  private trailerByte(c: number): void {
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new ChunkedError('invalid trailer');
    if (++this.trailers > MAX_TRAILERS) throw new ChunkedError('trailers too large');
  }
}
