import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BitReader, BitWriter } from '../../src/replication/bits.js';
import { codecFor, type IntCodec } from '../../src/replication/codecs.js';
import type { FieldType, Quantize } from '../../src/replication/field-types.js';
import { ClassLayout } from '../../src/replication/layout.js';
import { CORE, NetworkObject, touch } from '../../src/replication/network-object.js';
import { SendTable } from '../../src/replication/send-table.js';
import { sync } from '../../src/replication/sync.js';

function roundTrip(type: FieldType | undefined, value: unknown, quantize?: Quantize): unknown {
  const codec = codecFor(type, quantize);
  const w = new BitWriter();
  codec.write(w, value);
  return codec.read(new BitReader(w.finish()));
}

describe('field codecs', () => {
  it('carries every scalar type whole', () => {
    expect(roundTrip('bool', true)).toBe(true);
    expect(roundTrip('int8', -128)).toBe(-128);
    expect(roundTrip('uint8', 255)).toBe(255);
    expect(roundTrip('int16', -1234)).toBe(-1234);
    expect(roundTrip('uint16', 65535)).toBe(65535);
    expect(roundTrip('int32', -2147483648)).toBe(-2147483648);
    expect(roundTrip('uint32', 4294967295)).toBe(4294967295);
    expect(roundTrip('varint', -(2 ** 40))).toBe(-(2 ** 40));
    expect(roundTrip('float32', 0.1)).toBe(Math.fround(0.1));
    expect(roundTrip('float64', 0.1)).toBe(0.1);
    expect(roundTrip('string', 'héllo')).toBe('héllo');
    expect(roundTrip('bytes', new Uint8Array([1, 2, 3]))).toEqual(new Uint8Array([1, 2, 3]));
    expect(roundTrip(undefined, { a: [1, 'x'] })).toEqual({ a: [1, 'x'] });
  });

  it('clamps integers to their type and rounds them', () => {
    expect(roundTrip('int8', 300)).toBe(127);
    expect(roundTrip('uint8', -4)).toBe(0);
    expect(roundTrip('int16', 2.6)).toBe(3);
  });

  it('carries small arrays and records of other types, and refuses arrays past their length', () => {
    const type: FieldType = {
      record: { name: 'string', hp: 'uint8', items: { array: 'int16', maxLength: 4 } },
    };
    expect(roundTrip(type, { name: 'ann', hp: 90, items: [1, -2, 3] })).toEqual({
      name: 'ann',
      hp: 90,
      items: [1, -2, 3],
    });
    const long = codecFor({ array: 'uint8', maxLength: 8 });
    const w = new BitWriter();
    long.write(w, [1, 2, 3, 4, 5]);
    const short = codecFor({ array: 'uint8', maxLength: 2 });
    expect(() => short.read(new BitReader(w.finish()))).toThrow(
      expect.objectContaining({ code: 'E_BAD_PACKET' }),
    );
    expect(short.normalize([1, 2, 3])).toEqual([1, 2]);
  });

  it('quantises by step: the receiver is within half a step of the sender', () => {
    const codec = codecFor('float64', { step: 0.001 }) as IntCodec;
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => {
        const back = roundTrip('float64', x, { step: 0.001 }) as number;
        expect(Math.abs(back - x)).toBeLessThanOrEqual(0.0005 + 1e-9);
        expect(codec.toInt(back)).toBe(codec.toInt(x));
      }),
    );
  });

  it('quantises by range and bits, clamping outside the range', () => {
    const q = { min: -10, max: 10, bits: 10 };
    const step = 20 / 1023;
    fc.assert(
      fc.property(fc.double({ min: -10, max: 10, noNaN: true }), (x) => {
        expect(Math.abs((roundTrip('float32', x, q) as number) - x)).toBeLessThanOrEqual(step / 2 + 1e-9);
      }),
    );
    expect(roundTrip('float32', 99, q)).toBe(10);
    expect(roundTrip('float32', -99, q)).toBe(-10);
    const w = new BitWriter();
    codecFor('float32', q).write(w, 3);
    expect(w.bitLength).toBe(10);
  });

  it('wraps angles: deltas take the shortest way round and values come back in [-π, π)', () => {
    const codec = codecFor('angle', { bits: 12 }) as IntCodec;
    const deg = (d: number) => (d * Math.PI) / 180;
    const from = codec.toInt(deg(350));
    const to = codec.toInt(deg(10));
    const d = codec.delta(from, to);
    expect(d).toBeGreaterThan(0);
    expect(d).toBeCloseTo((20 / 360) * 4096, 0);
    expect(codec.apply(from, d)).toBe(to);
    expect(codec.delta(to, from)).toBe(-d);
    expect(codec.fromInt(codec.toInt(deg(190)))).toBeCloseTo(deg(-170), 2);
    expect(codec.toInt(deg(720 + 90))).toBe(codec.toInt(deg(90)));
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: -100, max: 100, noNaN: true }),
        (a, b) => {
          const ia = codec.toInt(a);
          const ib = codec.toInt(b);
          const delta = codec.delta(ia, ib);
          expect(Math.abs(delta)).toBeLessThanOrEqual(2048);
          expect(codec.apply(ia, delta)).toBe(ib);
          const back = codec.fromInt(ib);
          expect(back).toBeGreaterThanOrEqual(-Math.PI);
          expect(back).toBeLessThan(Math.PI);
          // Same direction on the circle, within half a step.
          const err = Math.atan2(Math.sin(back - b), Math.cos(back - b));
          expect(Math.abs(err)).toBeLessThanOrEqual(Math.PI / 4096 + 1e-9);
        },
      ),
    );
  });

  it('refuses configurations that cannot work', () => {
    expect(() => codecFor('string', { step: 1 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_CONFIG' }),
    );
    expect(() => codecFor('float64', { step: 0 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_CONFIG' }),
    );
    expect(() => codecFor('angle', { step: 0.1 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_CONFIG' }),
    );
    expect(() => codecFor('float64', { min: 1, max: 0, bits: 8 })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_CONFIG' }),
    );
  });
});

describe('inlined quantisers', () => {
  it('capture exactly what each codec’s toInt gives', () => {
    class All extends NetworkObject {
      @sync({ quantize: { step: 0.001 } }) accessor a = 0;
      @sync({ type: 'float32', quantize: { min: -5, max: 5, bits: 9 } }) accessor b = 0;
      @sync({ type: 'angle', quantize: { bits: 10 } }) accessor c = 0;
      @sync({ type: 'int8' }) accessor d = 0;
      @sync({ type: 'uint16' }) accessor e = 0;
      @sync({ type: 'varint' }) accessor f = 0;
      @sync({ type: 'angle' }) accessor g = 0;
    }
    const layout = new ClassLayout(All, 'All');
    const table = new SendTable();
    const o = new All();
    const t = table.add(o, layout, 1, 0);
    const value = fc.oneof(
      fc.double({ min: -1e5, max: 1e5 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -0),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 7, maxLength: 7 }), (vs) => {
        for (let s = 0; s < 7; s++) o[CORE].values[layout.fieldIndex[s]!] = vs[s];
        touch(o[CORE]);
        table.capture();
        const at = t.newest();
        for (let s = 0; s < 7; s++) {
          expect(table.ints[at + s]).toBe(layout.ints[s]!.toInt(vs[s]!));
        }
      }),
    );
  });
});
