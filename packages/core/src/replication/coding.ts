import { bitLength, zigzag } from './bits.js';

// Per-packet parameter choice for the exp-Golomb codes of the state stream: every packet says, for
// each field, which order k its deltas use and which bias is taken off them first. A packet of
// objects moving alike (a scrolling world, a falling crowd) then costs a bit or two per field.

/** Largest exp-Golomb order a packet may choose (5 bits on the wire). */
export const MAX_ORDER = 31;

/** Size of a histogram of bit lengths (values up to 2^53). */
export const HISTOGRAM_SIZE = 54;

/**
 * Approximate size of an order-`k` exp-Golomb code of a value with bit length `length`: exact
 * when the value is below 2^k, at most one bit short otherwise.
 */
export function approxBits(length: number, k: number): number {
  return length <= k ? k + 1 : 2 * length - k - 1;
}

/** The order k (0–{@link MAX_ORDER}) that makes the values counted in `histogram` smallest. */
export function bestOrder(histogram: Int32Array): number {
  let top = 0;
  let total = 0;
  let bits = 0;
  for (let length = 0; length < HISTOGRAM_SIZE; length++) {
    const count = histogram[length]!;
    if (count === 0) continue;
    top = length;
    total += count;
    bits += count * approxBits(length, 0);
  }
  // From k to k + 1, a value of length ≤ k + 1 costs a bit more and a longer one a bit less.
  let best = 0;
  let bestBits = bits;
  let upTo = histogram[0]!;
  const last = Math.min(top, MAX_ORDER);
  for (let k = 0; k < last; k++) {
    upTo += histogram[k + 1]!;
    bits += upTo - (total - upTo);
    if (bits < bestBits) {
      bestBits = bits;
      best = k + 1;
    }
  }
  return best;
}

/**
 * The residual of a delta `d` of an integer slot against its bias, zigzagged: branch-free for
 * the usual small ones (their signs are random, so a branch would mispredict).
 */
export function residual(d: number, bias: number): number {
  const r = d - bias;
  return r > -0x40000000 && r < 0x40000000 ? ((r << 1) ^ (r >> 31)) >>> 0 : zigzag(r);
}

/** The change of a slot from `base` to `cur`, the shortest way round for a wrapping (`modulus` > 0) one. */
export function slotDelta(cur: number, base: number, modulus: number): number {
  let d = cur - base;
  if (modulus > 0) {
    const half = modulus / 2;
    if (d >= half) d -= modulus;
    else if (d < -half) d += modulus;
  }
  return d;
}

/** Adds a non-negative integer to a histogram of bit lengths. */
export function countLength(histogram: Int32Array, value: number): void {
  histogram[bitLength(value)]!++;
}

const SAMPLE = 33;
const sample = new Float64Array(SAMPLE);

/**
 * The median of `count` values read with `at(i)`, estimated from at most 33 evenly spaced ones
 * (a bias only needs to be typical, not exact). 0 when there are none.
 */
export function typical(count: number, at: (i: number) => number): number {
  if (count === 0) return 0;
  const take = Math.min(count, SAMPLE);
  for (let i = 0; i < take; i++) sample[i] = at(Math.floor((i * count) / take));
  const view = sample.subarray(0, take);
  view.sort();
  return view[take >> 1]!;
}

/** Bits of the values counted in a histogram of bit lengths, coded with order `k` (approximate). */
export function histogramBits(histogram: Int32Array, k: number): number {
  let bits = 0;
  for (let length = 0; length < HISTOGRAM_SIZE; length++) {
    const n = histogram[length]!;
    if (n > 0) bits += n * approxBits(length, k);
  }
  return bits;
}
