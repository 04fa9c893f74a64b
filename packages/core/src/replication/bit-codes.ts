// State deltas are mostly small integers whose size varies per field and per packet, so the hot
// path writes bits, not bytes: a 10-bit delta costs 10 bits. Bits go most-significant first.

/** 2^32. */
export const TWO_32 = 4294967296;
/** 2^i for i in 0..53. */
export const POW2 = Float64Array.from({ length: 54 }, (_, i) => 2 ** i);
/** Largest exp-Golomb prefix a reader accepts: values above 2^53 are not integers any more. */
export const MAX_PREFIX = 53;

/** Maps a signed integer to an unsigned one (0, -1, 1, -2 … → 0, 1, 2, 3 …), exact up to 2^52. */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Inverse of {@link zigzag}. */
export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** Number of bits needed to write `value` (a non-negative integer): 0 for 0, 1 for 1, 2 for 2–3 … */
export function bitLength(value: number): number {
  if (value < TWO_32) return 32 - Math.clz32(value);
  return 32 + bitLength(Math.floor(value / TWO_32));
}

/** Size in bits of `value` (a non-negative integer) as an order-`k` exp-Golomb code. */
export function expGolombBits(value: number, k: number): number {
  const shifted = value + POW2[k]!;
  const m = (shifted < TWO_32 ? 32 - Math.clz32(shifted) : bitLength(shifted)) - 1;
  return 2 * m - k + 1;
}
