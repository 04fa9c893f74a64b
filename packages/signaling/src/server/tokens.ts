import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignalPeerId } from '../contract.js';

/**
 * What a resume token proves: that `peer` was in `room`, plus the lobby's settings as the peer
 * last saw them, so a restarted server with no shared store can rebuild the lobby from the
 * tokens its returning peers present.
 */
export interface ResumeClaims {
  peer: SignalPeerId;
  room: string;
  /** When the token was issued (ms since the epoch). */
  issued: number;
  code: string;
  public: boolean;
  maxPeers: number;
  /** The lobby's password digest ('' for none); never the password itself. */
  pw: string;
  host: SignalPeerId;
  sealed: boolean;
}

/** Signs and checks resume tokens (HMAC-SHA256) and digests lobby passwords with one secret. */
export class TokenSigner {
  readonly #secret: Buffer;

  constructor(secret: string | Uint8Array) {
    this.#secret = Buffer.from(secret);
  }

  /** Issues a token: base64url(JSON claims) "." base64url(MAC). */
  sign(claims: ResumeClaims): string {
    const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  /** The claims of a genuine token no older than `maxAgeMs`, else undefined. */
  verify(token: string, maxAgeMs: number, now = Date.now()): ResumeClaims | undefined {
    const dot = token.indexOf('.');
    if (dot <= 0 || token.length > 4096) return undefined;
    const body = token.slice(0, dot);
    const mac = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#mac(body);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ResumeClaims;
      if (typeof claims.peer !== 'string' || typeof claims.room !== 'string') return undefined;
      if (typeof claims.issued !== 'number' || now - claims.issued > maxAgeMs) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }

  /**
   * A lobby password's digest, bound to the room name. Keyed with the secret, so a digest that
   * leaks (it rides inside resume tokens) cannot be brute-forced offline.
   */
  passwordDigest(room: string, password: string | undefined): string {
    if (password === undefined || password === '') return '';
    return createHmac('sha256', this.#secret).update(`pw\0${room}\0${password}`).digest('base64url');
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#secret).update(`resume\0${body}`).digest();
  }
}
