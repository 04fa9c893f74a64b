import { Decoder, Encoder } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadPacketError } from '../../src/index.js';
import { decodeValue, encodeShared } from '../../src/wire/msgpack.js';
import { decodeSmall, encodeSmall, NOT_SMALL } from '../../src/wire/msgpack-small.js';

// The general codec, configured as the session's is: the fast paths must agree with it byte for
// byte and value for value.
const general = new Encoder({ ignoreUndefined: false });
const generalDecoder = new Decoder();

const ascii = fc.string({ unit: fc.integer({ min: 0, max: 0x7f }).map((c) => String.fromCharCode(c)) });
const scalar = fc.oneof(
  fc.integer(),
  fc.integer({ min: -200, max: 200 }),
  fc.maxSafeInteger(),
  fc.double(),
  fc.constantFrom(0, -0, 127, 128, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, -32, -33, -128, -129),
  fc.constantFrom(-32768, -32769, -(2 ** 31), -(2 ** 31) - 1, Number.NaN, Infinity, -Infinity),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  ascii,
  fc.string(),
);
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 20 }), fc.anything());

/** A decode's value, or the code of the typed error it threw. */
function outcome(decode: () => unknown): { value: unknown } | { error: string } {
  try {
    return { value: decode() };
  } catch (error) {
    if (!(error instanceof BadPacketError)) throw error;
    return { error: error.code };
  }
}

describe('small-value MessagePack fast paths', () => {
  it('encode exactly as the general encoder, or decline', () => {
    fc.assert(
      fc.property(value, (v) => {
        const small = encodeSmall(v);
        if (small === NOT_SMALL) return;
        expect(Array.from(small)).toEqual(Array.from(general.encode(v)));
      }),
      { numRuns: 5000 },
    );
  });

  it('take the shapes RPC arguments usually have', () => {
    for (const v of [[1, 2], [0.5, -3, 'left', true, null], 42, 'ok', [], [2 ** 31, -(2 ** 31)]]) {
      expect(encodeSmall(v)).not.toBe(NOT_SMALL);
    }
    for (const v of [
      [[1]],
      { a: 1 },
      'é',
      'x'.repeat(32),
      new Array(16).fill(0),
      2 ** 32 + 1,
      new Uint8Array(2),
    ]) {
      expect(encodeSmall(v)).toBe(NOT_SMALL);
    }
  });

  it('decode exactly what the general decoder decodes, or decline', () => {
    const bytes = fc.oneof(
      value.map((v) => general.encode(v)),
      fc.uint8Array({ maxLength: 24 }),
      value.map((v) => {
        const b = general.encode(v);
        return b.subarray(0, Math.max(0, b.length - 1)); // truncated
      }),
    );
    fc.assert(
      fc.property(bytes, (b) => {
        const small = decodeSmall(b);
        if (small === NOT_SMALL) return;
        expect(small).toStrictEqual(generalDecoder.decode(b));
      }),
      { numRuns: 5000 },
    );
  });

  it('decode a value in the middle of a datagram as they decode it alone', () => {
    fc.assert(
      fc.property(
        value,
        fc.uint8Array({ maxLength: 4 }),
        fc.uint8Array({ maxLength: 4 }),
        (v, before, after) => {
          const alone = general.encode(v);
          const datagram = new Uint8Array([...before, ...alone, ...after]);
          const start = before.length;
          const end = start + alone.length;
          expect(outcome(() => decodeValue(datagram, start, end))).toStrictEqual(
            outcome(() => decodeValue(alone)),
          );
          const small = decodeSmall(datagram, start, end);
          if (small !== NOT_SMALL) expect(small).toStrictEqual(generalDecoder.decode(alone));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('leave malformed input to the general decoder, which refuses it with a typed error', () => {
    for (const bad of [[], [0x92, 0x01], [0x01, 0x02], [0xcb, 0x00], [0xa3, 0x61], [0xc1]]) {
      const bytes = new Uint8Array(bad);
      expect(decodeSmall(bytes)).toBe(NOT_SMALL);
      expect(() => decodeValue(bytes)).toThrow(BadPacketError);
    }
    // Not ASCII: declined, and the general decoder decides what it means.
    expect(decodeSmall(new Uint8Array([0x91, 0xa1, 0xff]))).toBe(NOT_SMALL);
  });

  it('round-trip through the session codec whichever path encodes', () => {
    fc.assert(
      fc.property(value, (v) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeShared(v).slice();
        } catch {
          return; // not representable (functions, symbols, ...)
        }
        // The session's decoder refuses what it must (a `__proto__` key, say) whichever path encoded.
        expect(outcome(() => decodeValue(bytes))).toStrictEqual(
          outcome(() => decodeValue(general.encode(v))),
        );
      }),
      { numRuns: 3000 },
    );
  });
});
