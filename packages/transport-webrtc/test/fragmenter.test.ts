import { BadPacketError } from '@meshplay/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FRAGMENT_HEADER_BYTES, fragment, Reassembler } from '../src/fragmenter.js';

function bytes(length: number, seed = 1): Uint8Array {
  const data = new Uint8Array(length);
  for (let i = 0; i < length; i++) data[i] = (i * 31 + seed) & 0xff;
  return data;
}

/** Byte equality without vitest's element-by-element deep diff (slow on large arrays). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

describe('fragmenter', () => {
  it('cuts into frames no longer than the limit and reassembles exactly, in any order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 20_000 }),
        fc.integer({ min: 64, max: 3000 }),
        fc.integer({ min: 0, max: 0x7fffffff }),
        (length, maxFrame, seed) => {
          // The channel fragments only what does not fit one frame.
          const data = bytes(length + maxFrame, seed);
          const frames = fragment(data, seed, maxFrame);
          expect(Math.max(...frames.map((f) => f.length))).toBeLessThanOrEqual(maxFrame);
          // A seeded Fisher–Yates shuffle: reliable unordered channels deliver in any order.
          let state = seed || 1;
          for (let i = frames.length - 1; i > 0; i--) {
            state = (state * 48271) % 0x7fffffff;
            const j = state % (i + 1);
            [frames[i], frames[j]] = [frames[j]!, frames[i]!];
          }
          const reassembler = new Reassembler(1 << 20);
          const done = frames.map((frame) => reassembler.accept(frame)).filter((r) => r !== undefined);
          expect(done).toHaveLength(1);
          expect(sameBytes(done[0]!, data)).toBe(true);
          expect(reassembler.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reassembles interleaved datagrams independently', () => {
    const a = bytes(5000, 1);
    const b = bytes(7000, 2);
    const fa = fragment(a, 1, 1000);
    const fb = fragment(b, 2, 1000);
    const reassembler = new Reassembler(1 << 20);
    const out: Uint8Array[] = [];
    for (let i = 0; i < Math.max(fa.length, fb.length); i++) {
      for (const frame of [fa[i], fb[i]]) {
        const whole = frame && reassembler.accept(frame);
        if (whole) out.push(whole);
      }
    }
    expect(out).toEqual([a, b]);
  });

  it('refuses datagrams over the limit and more in flight than the budget', () => {
    const frames = fragment(bytes(3000), 7, 1000);
    expect(() => new Reassembler(2000).accept(frames[0]!)).toThrow(/exceeds the 2000-byte limit/);
    const reassembler = new Reassembler(5000);
    reassembler.accept(frames[0]!);
    expect(() => reassembler.accept(fragment(bytes(3000), 8, 1000)[0]!)).toThrow(
      /too many fragmented datagrams/,
    );
  });

  it('refuses malformed, inconsistent and duplicate fragments', () => {
    const frames = fragment(bytes(3000), 7, 1000);
    const reassembler = new Reassembler(1 << 20);
    expect(() => reassembler.accept(frames[0]!.subarray(0, FRAGMENT_HEADER_BYTES))).toThrow(BadPacketError);
    reassembler.accept(frames[0]!);
    expect(() => reassembler.accept(frames[0]!)).toThrow(/arrived twice/);
    const truncated = frames[1]!.slice(0, frames[1]!.length - 1);
    expect(() => reassembler.accept(truncated)).toThrow(/expected/);
    const lying = frames[1]!.slice();
    new DataView(lying.buffer).setUint16(11, 9, true); // a different fragment count
    expect(() => reassembler.accept(lying)).toThrow(/disagrees/);
    const outOfRange = fragment(bytes(3000), 9, 1000)[0]!.slice();
    new DataView(outOfRange.buffer).setUint16(9, 50, true);
    expect(() => new Reassembler(1 << 20).accept(outOfRange)).toThrow(/index 50/);
  });
});
