import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  closeCodeName,
  closeReason,
  isFault,
  normaliseJoinCode,
  parseClientMessage,
} from '../src/protocol.js';
import { TokenBucket } from '../src/server/rate-limit.js';
import { type ResumeClaims, TokenSigner } from '../src/server/tokens.js';

describe('protocol parsing', () => {
  it('accepts well-formed messages and names what is wrong with the rest', () => {
    expect(parseClientMessage('{"type":"join","v":1,"room":"r","maxPeers":4}')).toMatchObject({
      type: 'join',
    });
    expect(parseClientMessage('{"type":"join","v":1,"code":"ab3def"}')).toMatchObject({ code: 'ab3def' });
    expect(parseClientMessage('{"type":"signal","to":"x","payload":null}')).toMatchObject({ type: 'signal' });
    const faults: [string, string][] = [
      ['nope', 'E_BAD_JSON'],
      ['"text"', 'E_BAD_MESSAGE'],
      ['{"type":"join","room":"r"}', 'E_BAD_MESSAGE'],
      ['{"type":"join","v":1}', 'E_BAD_MESSAGE'],
      ['{"type":"join","v":1,"room":"r","code":"ABCDEF"}', 'E_BAD_MESSAGE'],
      ['{"type":"join","v":1,"room":""}', 'E_BAD_MESSAGE'],
      [`{"type":"join","v":1,"room":"${'x'.repeat(65)}"}`, 'E_BAD_MESSAGE'],
      ['{"type":"join","v":1,"room":"a\\u0000b"}', 'E_BAD_MESSAGE'],
      ['{"type":"join","v":1,"room":"r","maxPeers":0}', 'E_BAD_MESSAGE'],
      ['{"type":"join","v":1,"code":"ABCDEF","create":true}', 'E_BAD_MESSAGE'],
      ['{"type":"signal","to":"x","payload":1,"from":"y"}', 'E_SPOOFED_FROM'],
      ['{"type":"resume","v":1}', 'E_BAD_MESSAGE'],
      ['{"type":"ping","rid":"1"}', 'E_BAD_MESSAGE'],
      ['{"type":"whatever"}', 'E_UNKNOWN_TYPE'],
    ];
    for (const [text, code] of faults) {
      const parsed = parseClientMessage(text);
      expect(isFault(parsed) && parsed.fault, text).toBe(code);
    }
  });

  it('never throws, whatever the frame', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseClientMessage(text);
        expect(typeof parsed).toBe('object');
      }),
    );
  });

  it('reads join codes case-insensitively and rejects look-alike characters', () => {
    expect(normaliseJoinCode('ab3dEf')).toBe('AB3DEF');
    expect(normaliseJoinCode('AB0DEF')).toBeUndefined(); // 0 is not in the alphabet
    expect(normaliseJoinCode('ABCDE')).toBeUndefined();
    expect(normaliseJoinCode(123456)).toBeUndefined();
  });

  it('puts the code first in close reasons and fits them in a close frame', () => {
    expect(closeReason('E_RATE_LIMITED', 'slow down')).toBe('E_RATE_LIMITED: slow down');
    expect(new TextEncoder().encode(closeReason('E_X', 'é'.repeat(200))).length).toBeLessThanOrEqual(123);
    expect(closeCodeName(4008, 'E_RATE_LIMITED: slow down')).toBe('E_RATE_LIMITED');
    expect(closeCodeName(1009, '')).toBe('E_FRAME_TOO_LARGE');
    expect(closeCodeName(1006, '')).toBe('E_CLOSED_1006');
  });
});

describe('resume tokens', () => {
  const claims: ResumeClaims = {
    peer: 'p'.repeat(21),
    room: 'room',
    issued: Date.now(),
    code: 'ABCDEF',
    public: true,
    maxPeers: 8,
    pw: '',
    host: 'h'.repeat(21),
    sealed: false,
  };

  it('round-trips, and refuses tampered, foreign and expired tokens', () => {
    const signer = new TokenSigner('secret');
    const token = signer.sign(claims);
    expect(signer.verify(token, 60_000)).toEqual(claims);
    const [body, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, peer: 'q'.repeat(21) })).toString('base64url');
    expect(signer.verify(`${forged}.${mac}`, 60_000)).toBeUndefined();
    expect(signer.verify(`${body}.${mac.slice(1)}`, 60_000)).toBeUndefined();
    expect(new TokenSigner('other secret').verify(token, 60_000)).toBeUndefined();
    expect(signer.verify(token, 60_000, claims.issued + 60_001)).toBeUndefined();
    expect(signer.verify('garbage', 60_000)).toBeUndefined();
  });

  it('digests passwords per room and secret, never storing them', () => {
    const signer = new TokenSigner('secret');
    const digest = signer.passwordDigest('room', 'hunter2');
    expect(digest).not.toContain('hunter2');
    expect(signer.passwordDigest('room', 'hunter2')).toBe(digest);
    expect(signer.passwordDigest('other room', 'hunter2')).not.toBe(digest);
    expect(new TokenSigner('s2').passwordDigest('room', 'hunter2')).not.toBe(digest);
    expect(signer.passwordDigest('room', undefined)).toBe('');
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the sustained rate', () => {
    const bucket = new TokenBucket({ perSecond: 10, burst: 3 }, 0);
    expect([bucket.take(0), bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
    expect(bucket.take(10_000)).toBe(true);
  });
});
