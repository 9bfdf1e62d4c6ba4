/** Where an ACME server looks for an HTTP-01 answer (RFC 8555 §8.3). */
export const CHALLENGE_PREFIX = '/.well-known/acme-challenge/';

/**
 * The HTTP-01 answers the router gives on its plain-HTTP port while an order is pending: token → key authorization.
 * A challenge path with no pending token is answered 404 by the router, never forwarded to a release.
 */
export class Http01Answers {
  private readonly pending = new Map<string, ChallengeAnswer>();

  add(token: string, keyAuthorization: string): void {
    this.pending.set(token, { status: 200, bytes: answer(200, 'OK', keyAuthorization) });
  }

  remove(token: string): void {
    this.pending.delete(token);
  }

  /** The full response for a request target under the challenge path, or null when `target` is not one. */
  answerFor(target: string): ChallengeAnswer | null {
    if (!target.startsWith(CHALLENGE_PREFIX)) return null;
    const token = target.slice(CHALLENGE_PREFIX.length);
    return this.pending.get(token) ?? NOT_PENDING;
  }
}

/** The key authorization exactly as the body, no trailing newline: the VA compares the bytes. */
function answer(status: number, reason: string, body: string): Buffer {
  return Buffer.from(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\ncache-control: no-store\r\n\r\n${body}`, 'latin1');
}

export interface ChallengeAnswer {
  status: number;
  bytes: Buffer;
}

const NOT_PENDING: ChallengeAnswer = { status: 404, bytes: answer(404, 'Not Found', 'no such ACME challenge\n') };
