const TURN = Math.PI * 2;

/** What {@link SnapshotBuffer.sample} could do for the time asked. */
export const Blend = {
  /** No snapshot yet: the output is untouched. */
  Empty: 0,
  /** Two snapshots surround the time: blended between them. */
  Interpolated: 1,
  /** Past the newest snapshot, moved on along the last velocity (at most the cap). */
  Extrapolated: 2,
  /** Held at a snapshot: before the oldest, past the cap, or known unchanged. */
  Held: 3,
} as const;

/** One of the {@link Blend} outcomes. */
export type BlendKind = (typeof Blend)[keyof typeof Blend];

/** Shortest signed arc from `a` to `b`, radians. */
export function shortestArc(a: number, b: number): number {
  let d = (b - a) % TURN;
  if (d >= Math.PI) d -= TURN;
  else if (d < -Math.PI) d += TURN;
  return d;
}

/**
 * Recent snapshots of one remote object's interpolated fields, by sender tick. Numbers blend
 * linearly, angles (radians) along the shortest arc; past the newest snapshot values extrapolate
 * for at most `maxExtrapolate` ticks.
 */
export class SnapshotBuffer {
  readonly #ticks: Float64Array;
  readonly #values: Float64Array;
  #size = 0;

  constructor(
    /** Number of fields. */
    readonly count: number,
    /** Per field: whether it is an angle. */
    readonly angles: ArrayLike<boolean>,
    readonly capacity = 32,
  ) {
    this.#ticks = new Float64Array(capacity);
    this.#values = new Float64Array(capacity * count);
  }

  /** Snapshots held. */
  get size(): number {
    return this.#size;
  }

  /** Tick of the newest snapshot (-Infinity when empty). */
  get newest(): number {
    return this.#size === 0 ? Number.NEGATIVE_INFINITY : this.#ticks[this.#size - 1]!;
  }

  /** Forgets every snapshot. */
  clear(): void {
    this.#size = 0;
  }

  /** Files a snapshot (out-of-order arrivals go in place; a tick already held is ignored). */
  push(tick: number, values: ArrayLike<number>): void {
    const ticks = this.#ticks;
    const n = this.count;
    let at = this.#size;
    while (at > 0 && ticks[at - 1]! > tick) at--;
    if (at > 0 && ticks[at - 1] === tick) return;
    if (this.#size === this.capacity) {
      if (at === 0) return;
      // Drop the oldest.
      ticks.copyWithin(0, 1, this.#size);
      this.#values.copyWithin(0, n, this.#size * n);
      this.#size--;
      at--;
    }
    ticks.copyWithin(at + 1, at, this.#size);
    this.#values.copyWithin((at + 1) * n, at * n, this.#size * n);
    ticks[at] = tick;
    for (let i = 0; i < n; i++) this.#values[at * n + i] = values[i]!;
    this.#size++;
  }

  /**
   * Writes the fields at tick `at` into `out`. Past the newest snapshot: if `unchangedUntil` ≥
   * `at` (the sender is known to have sent nothing newer for it) values hold, otherwise they
   * extrapolate for at most `maxExtrapolate` ticks and then hold.
   */
  sample(
    at: number,
    out: Float64Array | number[],
    maxExtrapolate = 2,
    unchangedUntil = Number.NEGATIVE_INFINITY,
  ): BlendKind {
    const size = this.#size;
    if (size === 0) return Blend.Empty;
    const ticks = this.#ticks;
    const n = this.count;
    if (at <= ticks[0]!) {
      this.#copy(0, out);
      return at === ticks[0] && size > 1 ? Blend.Interpolated : Blend.Held;
    }
    const last = size - 1;
    if (at > ticks[last]!) {
      if (size === 1 || unchangedUntil >= at) {
        this.#copy(last, out);
        return Blend.Held;
      }
      const span = ticks[last]! - ticks[last - 1]!;
      const ahead = Math.min(at - ticks[last]!, maxExtrapolate);
      this.#blend(last - 1, last, 1 + ahead / span, out);
      return ahead < at - ticks[last]! ? Blend.Held : Blend.Extrapolated;
    }
    // Newest first: render times sit near the end.
    let hi = last;
    while (ticks[hi - 1]! >= at) hi--;
    const lo = hi - 1;
    this.#blend(lo, hi, (at - ticks[lo]!) / (ticks[hi]! - ticks[lo]!), out);
    void n;
    return Blend.Interpolated;
  }

  #copy(index: number, out: Float64Array | number[]): void {
    const n = this.count;
    for (let i = 0; i < n; i++) out[i] = this.#values[index * n + i]!;
  }

  #blend(a: number, b: number, t: number, out: Float64Array | number[]): void {
    const n = this.count;
    const values = this.#values;
    for (let i = 0; i < n; i++) {
      const va = values[a * n + i]!;
      const vb = values[b * n + i]!;
      if (this.angles[i]) {
        const v = va + shortestArc(va, vb) * t;
        out[i] = shortestArc(0, v);
      } else out[i] = va + (vb - va) * t;
    }
  }
}

/**
 * How far behind the host's present a receiver renders, learned from arrivals: the age of
 * snapshots when they arrive (mean plus twice the mean deviation, so jitter widens it) plus a
 * margin of send intervals: one because the render time falls between ticks, the rest so that one
 * or two lost packets in a row still leave a later snapshot to blend toward.
 */
export class RenderDelay {
  #ageMean = 0;
  #ageDev = 0;
  #interval = 1;
  #lastTick = Number.NaN;
  #samples = 0;

  constructor(
    /** Intervals of margin past the arrival age. Default 3. */
    readonly margin = 3,
  ) {}

  /** Notes a snapshot of sender tick `tick` arriving at estimated host tick `hostNow`. */
  observe(tick: number, hostNow: number): void {
    const age = hostNow - tick;
    if (this.#samples === 0) {
      this.#ageMean = age;
      this.#ageDev = 0.5;
    } else {
      const error = age - this.#ageMean;
      this.#ageMean += error / 16;
      this.#ageDev += (Math.abs(error) - this.#ageDev) / 8;
    }
    if (tick > this.#lastTick) {
      if (!Number.isNaN(this.#lastTick))
        this.#interval += (Math.min(tick - this.#lastTick, 8) - this.#interval) / 16;
      this.#lastTick = tick;
    }
    this.#samples++;
  }

  /** The delay in ticks between the host's present and the rendered time. */
  get ticks(): number {
    return Math.max(0, this.#ageMean) + 2 * this.#ageDev + this.margin * this.#interval;
  }

  /** The mean interval between snapshots, ticks. */
  get interval(): number {
    return this.#interval;
  }
}
