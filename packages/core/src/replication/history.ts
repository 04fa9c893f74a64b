import type { ClassLayout } from './layout.js';

/**
 * How many past states a receiver keeps per object, and how many capture passes a sender keeps
 * (see SendTable): a baseline older than that is replaced by the object whole.
 */
export const HISTORY = 32;

/**
 * A receiver's recent states of one object from one sender, keyed by the tick of the packet (or
 * spawn) that brought them: the sender names its delta baseline by that tick.
 */
export class Received {
  readonly keys = new Int32Array(HISTORY).fill(-1);
  readonly ints: Float64Array;
  readonly refs: unknown[] | undefined;
  /** Newest key stored (-1: none). */
  newest = -1;
  /** Cell of the newest key: states mostly arrive in order, so the next cell is the oldest. */
  #head = HISTORY - 1;

  constructor(readonly layout: ClassLayout) {
    this.ints = new Float64Array(HISTORY * layout.count);
    this.refs = layout.hasValues ? new Array(HISTORY * layout.count) : undefined;
  }

  /** Ring offset of the state stored under `key`, or -1 (newest first: baselines are recent). */
  find(key: number): number {
    const keys = this.keys;
    let cell = this.#head;
    for (let i = 0; i < HISTORY; i++) {
      if (keys[cell] === key) return cell * this.layout.count;
      cell = cell === 0 ? HISTORY - 1 : cell - 1;
    }
    return -1;
  }

  /**
   * Reserves a cell for `key` (evicting an old one) and returns its offset, or -1 when `key` is
   * already stored or older than everything kept.
   */
  reserve(key: number): number {
    const keys = this.keys;
    if (key > this.newest) {
      // In order: take the cell after the newest, which holds the oldest key (or a stray one
      // an out-of-order arrival put there, which is at least older than `key`).
      const cell = this.#head === HISTORY - 1 ? 0 : this.#head + 1;
      keys[cell] = key;
      this.#head = cell;
      this.newest = key;
      return cell * this.layout.count;
    }
    let victim = 0;
    for (let cell = 0; cell < HISTORY; cell++) {
      const k = keys[cell]!;
      if (k === key) return -1;
      if (k < keys[victim]!) victim = cell;
    }
    if (keys[victim]! > key) return -1;
    keys[victim] = key;
    return victim * this.layout.count;
  }
}
