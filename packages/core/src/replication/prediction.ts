/**
 * The owner's unacknowledged inputs of one predicted object, by tick: they are sent (all of them,
 * each time, so a lost packet costs nothing) until the host says it applied them, and replayed on
 * top of every authoritative state that arrives.
 */
export class InputBuffer<I> {
  readonly #ticks: number[] = [];
  readonly #inputs: I[] = [];

  constructor(
    /** Most inputs kept; older ones are dropped (the host will never apply them). */
    readonly capacity = 64,
  ) {}

  /** Inputs waiting for the host. */
  get size(): number {
    return this.#ticks.length;
  }

  /** Records the input for `tick` (a later input for the same tick replaces it). */
  push(tick: number, input: I): void {
    const last = this.#ticks.length - 1;
    if (last >= 0 && this.#ticks[last]! >= tick) {
      if (this.#ticks[last] === tick) this.#inputs[last] = input;
      return;
    }
    this.#ticks.push(tick);
    this.#inputs.push(input);
    if (this.#ticks.length > this.capacity) {
      this.#ticks.shift();
      this.#inputs.shift();
    }
  }

  /** Forgets every input up to and including `tick` (the host applied them). */
  acknowledge(tick: number): void {
    let n = 0;
    while (n < this.#ticks.length && this.#ticks[n]! <= tick) n++;
    this.#ticks.splice(0, n);
    this.#inputs.splice(0, n);
  }

  /** The inputs after `tick`, oldest first. */
  *after(tick: number): IterableIterator<[tick: number, input: I]> {
    for (let i = 0; i < this.#ticks.length; i++) {
      if (this.#ticks[i]! > tick) yield [this.#ticks[i]!, this.#inputs[i]!];
    }
  }
}

/**
 * The host's queue of one predicted object's inputs from its owner: applied in tick order, each
 * exactly once, whenever they arrive (a late input runs on the next tick rather than being lost).
 */
export class InputQueue<I> {
  readonly #pending = new Map<number, I>();
  /** Tick of the newest input applied (-1: none). */
  lastApplied = -1;

  constructor(
    /** Most inputs waiting; beyond it the owner is flooding and newer ones are refused. */
    readonly capacity = 128,
  ) {}

  /** Queues an input; returns false when it is old, a duplicate, or the queue is full. */
  offer(tick: number, input: I): boolean {
    if (tick <= this.lastApplied || this.#pending.has(tick) || this.#pending.size >= this.capacity)
      return false;
    this.#pending.set(tick, input);
    return true;
  }

  /** Takes every queued input with tick ≤ `upTo`, in tick order. */
  take(upTo: number): [tick: number, input: I][] {
    const due = [...this.#pending.keys()].filter((t) => t <= upTo).sort((a, b) => a - b);
    const out: [number, I][] = [];
    for (const t of due) {
      out.push([t, this.#pending.get(t)!]);
      this.#pending.delete(t);
      this.lastApplied = t;
    }
    return out;
  }
}
