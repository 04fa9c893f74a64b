import type { SendTable } from './send-table.js';

/** Sets taken so far (their ids). */
let taken = 0;

/**
 * The entries one encoding sent — row, row generation and version, in packet order — shared by
 * the packet records of every stream that sent the same packets, and returned to its pool when
 * the last of them lets go (the encoder holds one reference while it builds).
 */
export class PacketSet {
  rows!: Int32Array;
  /** Each row's generation when sent: an ack for a row reused since then changes nothing. */
  gens!: Int32Array;
  vids!: Int32Array;
  length = 0;
  /** Which taking of a set this is (records compare it: a record may have let go of the set). */
  id = 0;
  /**
   * The table's {@link SendTable.removals} when the set was written: while they are the same, no
   * row of it was freed since, and acks need not compare generations.
   */
  removals = 0;
  #users = 0;

  constructor(
    readonly pool: PacketSet[],
    capacity = 64,
  ) {
    this.#allocate(capacity);
  }

  /** A set from `pool` (or a new one, made for `n` entries: sets are many), empty, held once. */
  static take(pool: PacketSet[], n = 0): PacketSet {
    let set = pool.pop();
    if (set) set.reserve(n);
    else {
      let size = 64;
      while (size < n) size *= 2;
      set = new PacketSet(pool, size);
    }
    set.length = 0;
    set.id = ++taken;
    set.#users = 1;
    return set;
  }

  /** Makes room for `n` entries. */
  reserve(n: number): void {
    if (n <= this.rows.length) return;
    let size = this.rows.length;
    while (size < n) size *= 2;
    this.#allocate(size);
  }

  /** The three arrays share one buffer: one allocation instead of three. */
  #allocate(capacity: number): void {
    const buffer = new ArrayBuffer(capacity * 3 * Int32Array.BYTES_PER_ELEMENT);
    this.rows = new Int32Array(buffer, 0, capacity);
    this.gens = new Int32Array(buffer, capacity * Int32Array.BYTES_PER_ELEMENT, capacity);
    this.vids = new Int32Array(buffer, capacity * 2 * Int32Array.BYTES_PER_ELEMENT, capacity);
  }

  retain(): void {
    this.#users++;
  }

  release(): void {
    if (--this.#users === 0) this.pool.push(this);
  }
}
