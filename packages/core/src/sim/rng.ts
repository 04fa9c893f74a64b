/**
 * A small seeded PRNG (sfc32) for the simulation. Every stream is named by a path (the seed plus
 * the labels it was forked with) and seeded from a hash of that path, so a stream never depends
 * on how many values other streams drew: adding a link does not shift the losses of every other.
 */
export class Rng {
  /** The stream's identity: seed and fork labels; equal paths give equal sequences. */
  readonly path: string;
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  /** Seeds a stream; numbers and strings are both accepted (`1` and `'1'` are the same seed). */
  constructor(seed: number | string = 1) {
    this.path = String(seed);
    const [a, b, c, d] = hash128(this.path);
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    // The first outputs of sfc32 still echo the seed; burn them.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    const a = this.#a;
    const b = this.#b;
    const c = this.#c;
    const d = this.#d;
    const t = (((a + b) | 0) + d) | 0;
    this.#d = (d + 1) | 0;
    this.#a = b ^ (b >>> 9);
    this.#b = (c + (c << 3)) | 0;
    const r = (c << 21) | (c >>> 11);
    this.#c = (r + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability `p` (draws nothing when `p` is 0 or 1, keeping idle streams cheap). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** An independent stream derived from this one's path and `label`; it draws nothing from this one. */
  fork(label: string | number): Rng {
    return new Rng(`${this.path}\u0000${label}`);
  }
}

/** Four 32-bit lanes of a string hash (murmur-style multiply/rotate mixing, then an avalanche). */
function hash128(text: string): [number, number, number, number] {
  let h1 = 0x6a09e667;
  let h2 = 0xbb67ae85;
  let h3 = 0x3c6ef372;
  let h4 = 0xa54ff53a;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ k, 0x9e3779b1);
    h2 = Math.imul(h2 ^ k, 0x85ebca77);
    h3 = Math.imul(h3 ^ k, 0xc2b2ae3d);
    h4 = Math.imul(h4 ^ k, 0x27d4eb2f);
    h1 = (h1 << 13) | (h1 >>> 19);
    h2 = (h2 << 17) | (h2 >>> 15);
    h3 = (h3 << 11) | (h3 >>> 21);
    h4 = (h4 << 19) | (h4 >>> 13);
  }
  // Cross the lanes so each output bit depends on every lane, then finalise each (fmix32).
  h1 = (h1 + h2 + h3 + h4) | 0;
  h2 = (h2 + h1) | 0;
  h3 = (h3 + h1) | 0;
  h4 = (h4 + h1) | 0;
  return [fmix(h1 ^ text.length), fmix(h2), fmix(h3), fmix(h4)];
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
