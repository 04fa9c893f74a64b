/**
 * The entries one encoding sent — row, row generation and version, in packet order — shared by
 * the packet records of every stream that sent the same packets, and returned to its pool when
 * the last of them lets go (the encoder holds one reference while it builds).
 */
export class PacketSet {
  rows = new Int32Array(64);
  /** Each row's generation when sent: an ack for a row reused since then changes nothing. */
  gens = new Int32Array(64);
  vids = new Int32Array(64);
  length = 0;
  #users = 0;

  constructor(readonly pool: PacketSet[]) {}

  /** A set from `pool` (or a new one), empty, held once. */
  static take(pool: PacketSet[]): PacketSet {
    const set = pool.pop() ?? new PacketSet(pool);
    set.length = 0;
    set.#users = 1;
    return set;
  }

  /** Makes room for `n` entries. */
  reserve(n: number): void {
    if (n <= this.rows.length) return;
    let size = this.rows.length;
    while (size < n) size *= 2;
    this.rows = new Int32Array(size);
    this.gens = new Int32Array(size);
    this.vids = new Int32Array(size);
  }

  retain(): void {
    this.#users++;
  }

  release(): void {
    if (--this.#users === 0) this.pool.push(this);
  }
}
