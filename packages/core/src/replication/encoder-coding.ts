import { bestOrder, HISTOGRAM_SIZE } from './coding.js';
import type { ClassLayout } from './layout.js';

/** Values sampled per field per tick to pick the next tick's bias. */
export const SAMPLES = 33;

/**
 * Entries per class (and per stream, for ids and offsets) whose statistics choose a tick's codes;
 * the rest only take their deltas. The estimate of the tick's size scales the counts up.
 */
export const STAT_ENTRIES = 64;

/**
 * Median of `n` values of `values` from `from` (reordered in place): the value a sort would put
 * at `from + (n >> 1)`, found by selection (Hoare's), which is several times cheaper than sorting
 * for the few dozen samples a tick keeps. The samples are never NaN nor zero (deltas and offsets
 * that are taken are not 0), so any order of equal values gives the same number.
 */
function medianOf(values: Float64Array, from: number, n: number): number {
  if (n === 0) return 0;
  const target = from + (n >> 1);
  let lo = from;
  let hi = from + n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    // [lo, j] ≤ pivot ≤ [i, hi], and anything between j and i equals the pivot.
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target]!;
}

/** Code parameters of one class for one stream, and this tick's statistics to choose them. */
export class ClassCoding {
  readonly k: Int32Array;
  readonly bias: Float64Array;
  readonly histogram: Int32Array;
  readonly samples: Float64Array;
  readonly sampled: Int32Array;
  /** The common mask of this tick (one bit per entry that has it). */
  mask = 0;
  /** Majority vote (Boyer–Moore) for the common mask: no table, one comparison per entry. */
  candidate = 0;
  #votes = 0;
  /** Delta entries of this class this tick, and how many of them the statistics counted. */
  entries = 0;
  statEntries = 0;
  /** Tick at which the class last appeared among the candidates. */
  seen = -1;

  constructor(
    readonly layout: ClassLayout,
    readonly typeIndex: number,
  ) {
    const n = layout.count;
    this.k = new Int32Array(n);
    this.bias = new Float64Array(n);
    this.histogram = new Int32Array(n * HISTOGRAM_SIZE);
    this.samples = new Float64Array(n * SAMPLES);
    this.sampled = new Int32Array(n);
  }

  reset(): void {
    this.histogram.fill(0);
    this.sampled.fill(0);
    this.#votes = 0;
    this.entries = 0;
    this.statEntries = 0;
  }

  vote(mask: number): void {
    this.statEntries++;
    if (this.#votes === 0) {
      this.candidate = mask;
      this.#votes = 1;
    } else if (mask === this.candidate) this.#votes++;
    else this.#votes--;
  }

  /** Picks this tick's orders from the histograms and the common mask from the vote. */
  choose(): void {
    for (let s = 0; s < this.layout.count; s++) {
      if (this.layout.moduli[s]! < 0) continue;
      this.k[s] = bestOrder(this.histogram.subarray(s * HISTOGRAM_SIZE, (s + 1) * HISTOGRAM_SIZE));
    }
    this.mask = this.candidate;
  }

  /** Sets next tick's biases: the median of this tick's deltas per field. */
  learn(): void {
    for (let s = 0; s < this.layout.count; s++) {
      const n = this.sampled[s]!;
      if (n > 0) this.bias[s] = medianOf(this.samples, s * SAMPLES, n);
    }
  }
}

/** One stream's coding state, kept between ticks. */
export class StreamCoding {
  readonly classes = new Map<ClassLayout, ClassCoding>();
  offK = 0;
  offBias = 1;
  readonly offHistogram = new Int32Array(HISTOGRAM_SIZE);
  readonly offSamples = new Float64Array(SAMPLES);
  offSampled = 0;
  idK = 0;
  readonly idHistogram = new Int32Array(HISTOGRAM_SIZE);

  /** Starts a tick's statistics. */
  begin(): void {
    this.offHistogram.fill(0);
    this.idHistogram.fill(0);
    this.offSampled = 0;
  }

  /** Sets next tick's offset bias and every class's biases. */
  learn(present: readonly ClassCoding[]): void {
    if (this.offSampled > 0) this.offBias = medianOf(this.offSamples, 0, this.offSampled);
    for (const cc of present) cc.learn();
  }

  /** Whether this stream's biases equal `snapshot` (then equal inputs give equal packets). */
  sameBiases(snapshot: BiasSnapshot): boolean {
    if (this.offBias !== snapshot.offBias) return false;
    const { layouts, biases } = snapshot;
    let at = 0;
    for (let c = 0; c < snapshot.count; c++) {
      const cc = this.classes.get(layouts[c]!);
      const n = layouts[c]!.count;
      // A class this stream has not coded yet has the initial biases: zero.
      for (let s = 0; s < n; s++) if ((cc ? cc.bias[s]! : 0) !== biases[at + s]) return false;
      at += n;
    }
    return true;
  }

  /** Takes the biases of `snapshot` (learned by a stream that coded the packets this one sends). */
  copyBiases(snapshot: BiasSnapshot): void {
    this.offBias = snapshot.offBias;
    const { layouts, biases } = snapshot;
    let at = 0;
    for (let c = 0; c < snapshot.count; c++) {
      const layout = layouts[c]!;
      let cc = this.classes.get(layout);
      if (!cc) {
        cc = new ClassCoding(layout, snapshot.typeIndex[c]!);
        this.classes.set(layout, cc);
      }
      cc.bias.set(biases.subarray(at, at + layout.count));
      at += layout.count;
    }
  }

  /** Copies the biases of the classes in `present` and of the offsets into `into`. */
  snapshot(present: readonly ClassCoding[], into: BiasSnapshot): void {
    into.offBias = this.offBias;
    into.count = present.length;
    let size = 0;
    for (const cc of present) size += cc.layout.count;
    if (into.biases.length < size) into.biases = new Float64Array(Math.max(size, into.biases.length * 2));
    let at = 0;
    present.forEach((cc, c) => {
      into.layouts[c] = cc.layout;
      into.typeIndex[c] = cc.typeIndex;
      into.biases.set(cc.bias, at);
      at += cc.layout.count;
    });
  }
}

/** The biases a stream codes with, copied (reused from tick to tick). */
export class BiasSnapshot {
  offBias = 0;
  /** Classes, with their type index, and their biases one after another. */
  count = 0;
  readonly layouts: ClassLayout[] = [];
  readonly typeIndex: number[] = [];
  biases = new Float64Array(32);
}
