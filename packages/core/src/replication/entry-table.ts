/** Most slots a class has (one mask bit each): the stride of a residual row. */
export const STRIDE = 32;

/** The encoder's scratch for one stream's entries of one tick, grown as needed, reused. */
export class EntryTable {
  capacity = 0;
  /** The entry's row in the send table. */
  rows = new Int32Array(0);
  /** Baseline offset (tick − key), 0 for a whole state. */
  off = new Int32Array(0);
  /** Offset of the newest version's values in the send table. */
  cur = new Int32Array(0);
  /** Offset of the baseline's values in the send table (delta entries). */
  base = new Int32Array(0);
  /**
   * Change mask and residuals: computed in pass one only where needed (the statistics' entries,
   * classes with value slots, a selection over budget); the writer recomputes the others.
   */
  mask = new Int32Array(0);
  /** Per slot: the zigzagged residual of an integer slot, the size in bits of a value slot. */
  resid = new Float64Array(0);
  /** Indices of the entries to send, in id order. */
  order = new Int32Array(0);

  grow(): void {
    const capacity = Math.max(64, this.capacity * 2);
    const grow32 = (old: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(old);
      return next;
    };
    this.rows = grow32(this.rows);
    this.off = grow32(this.off);
    this.cur = grow32(this.cur);
    this.base = grow32(this.base);
    this.mask = grow32(this.mask);
    this.order = grow32(this.order);
    const resid = new Float64Array(capacity * STRIDE);
    resid.set(this.resid);
    this.resid = resid;
    this.capacity = capacity;
  }
}
