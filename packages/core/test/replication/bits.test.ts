import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BitReader,
  BitWriter,
  bitLength,
  expGolombBits,
  unzigzag,
  zigzag,
} from '../../src/replication/bits.js';

describe('BitWriter / BitReader', () => {
  it('round-trips a mix of bit fields, codes, varints, floats, bytes and strings', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({
              t: fc.constant('bits' as const),
              n: fc.integer({ min: 0, max: 32 }),
              v: fc.double({ min: 0, max: 1, noNaN: true }),
            }),
            fc.record({
              t: fc.constant('eg' as const),
              k: fc.integer({ min: 0, max: 20 }),
              v: fc.integer({ min: 0, max: 2 ** 50 }),
            }),
            fc.record({
              t: fc.constant('seg' as const),
              k: fc.integer({ min: 0, max: 12 }),
              v: fc.integer({ min: -(2 ** 50), max: 2 ** 50 }),
            }),
            fc.record({ t: fc.constant('varint' as const), v: fc.integer({ min: 0, max: 2 ** 50 }) }),
            fc.record({ t: fc.constant('f32' as const), v: fc.float({ noNaN: true }) }),
            fc.record({ t: fc.constant('f64' as const), v: fc.double({ noNaN: true }) }),
            fc.record({ t: fc.constant('str' as const), v: fc.string({ unit: 'grapheme' }) }),
            fc.record({ t: fc.constant('bytes' as const), v: fc.uint8Array() }),
          ),
        ),
        (ops) => {
          const w = new BitWriter(4);
          const expected: unknown[] = [];
          for (const op of ops) {
            switch (op.t) {
              case 'bits': {
                const value = Math.floor(op.v * 2 ** op.n);
                const clipped = Math.min(value, 2 ** op.n - 1);
                w.writeBits(clipped, op.n);
                expected.push(clipped);
                break;
              }
              case 'eg':
                w.writeExpGolomb(op.v, op.k);
                expected.push(op.v);
                break;
              case 'seg':
                w.writeSignedExpGolomb(op.v, op.k);
                expected.push(op.v);
                break;
              case 'varint':
                w.writeVarint(op.v);
                expected.push(op.v);
                break;
              case 'f32':
                w.writeFloat32(op.v);
                expected.push(Math.fround(op.v));
                break;
              case 'f64':
                w.writeFloat64(op.v);
                expected.push(op.v);
                break;
              case 'str':
                w.writeString(op.v);
                expected.push(op.v);
                break;
              case 'bytes':
                w.writeBytes(op.v);
                expected.push(op.v);
                break;
            }
          }
          const r = new BitReader(w.finish());
          const actual = ops.map((op) => {
            switch (op.t) {
              case 'bits':
                return r.readBits(op.n);
              case 'eg':
                return r.readExpGolomb(op.k);
              case 'seg':
                return r.readSignedExpGolomb(op.k);
              case 'varint':
                return r.readVarint();
              case 'f32':
                return r.readFloat32();
              case 'f64':
                return r.readFloat64();
              case 'str':
                return r.readString();
              case 'bytes':
                return r.readBytes();
              default:
                throw new Error('unreachable');
            }
          });
          expect(actual).toEqual(expected);
          expect(r.remainingBits).toBeLessThan(8);
        },
      ),
    );
  });

  it('spends exactly the predicted bits on exp-Golomb codes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 50 }), fc.integer({ min: 0, max: 24 }), (value, k) => {
        const w = new BitWriter();
        w.writeExpGolomb(value, k);
        expect(w.bitLength).toBe(expGolombBits(value, k));
      }),
    );
    const w = new BitWriter();
    w.writeExpGolomb(0, 0);
    expect(w.bitLength).toBe(1);
  });

  it('appends one writer to another at any bit offset', () => {
    const a = new BitWriter();
    a.writeBits(5, 3);
    const b = new BitWriter();
    b.writeBits(0xabcd, 16);
    b.writeBits(3, 2);
    a.append(b);
    const r = new BitReader(a.finish());
    expect([r.readBits(3), r.readBits(16), r.readBits(2)]).toEqual([5, 0xabcd, 3]);
  });

  it('refuses truncated input, overlong codes and oversized strings with BadPacketError', () => {
    expect(() => new BitReader(new Uint8Array([0xff])).readBits(9)).toThrow(
      expect.objectContaining({ code: 'E_BAD_PACKET' }),
    );
    expect(() => new BitReader(new Uint8Array(16)).readExpGolomb(0)).toThrow(
      expect.objectContaining({ code: 'E_BAD_PACKET' }),
    );
    expect(() => new BitReader(new Uint8Array(12).fill(0xff)).readVarint()).toThrow(
      expect.objectContaining({ code: 'E_BAD_PACKET' }),
    );
    const w = new BitWriter();
    w.writeBytes(new Uint8Array(100));
    expect(() => new BitReader(w.finish()).readBytes(50)).toThrow(
      expect.objectContaining({ code: 'E_BAD_PACKET' }),
    );
    const bad = new BitWriter();
    bad.writeBytes(new Uint8Array([0xff, 0xfe]));
    expect(() => new BitReader(bad.finish()).readString()).toThrow(
      expect.objectContaining({ code: 'E_BAD_PACKET' }),
    );
  });

  it('zigzags signed integers both ways and measures bit lengths', () => {
    expect([0, -1, 1, -2, 2].map(zigzag)).toEqual([0, 1, 2, 3, 4]);
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 51), max: 2 ** 51 }), (v) => {
        expect(unzigzag(zigzag(v))).toBe(v);
      }),
    );
    expect([0, 1, 2, 3, 255, 256, 2 ** 32, 2 ** 40].map(bitLength)).toEqual([0, 1, 2, 2, 8, 9, 33, 41]);
  });
});
