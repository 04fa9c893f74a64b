import { HISTORY } from './history.js';
import type { ClassLayout } from './layout.js';
import type { SendTable } from './send-table.js';
import { READY, type Slots } from './slots.js';

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
  /** 0, 1, 2, …: every entry, in order (when all go), filled once per growth rather than per tick. */
  all = new Int32Array(0);
  /** Entries after the last {@link appendRun}. */
  filled = 0;

  /**
   * Pass one's usual entry, in a loop of its own (no calls in it, so the optimiser keeps its
   * arrays in registers): from the `i`-th row in send order, appends entries from entry `count`
   * on while the pending rows are deltas of `layout` (whose writer computes the deltas) against
   * baselines the value ring still holds; rows not pending are skipped. Stops before the first
   * pending row that is not such an entry, or when the table is full; returns where it stopped,
   * the entries then number {@link filled}.
   */
  appendRun(
    table: SendTable,
    slots: Slots,
    layout: ClassLayout,
    i: number,
    count: number,
    tick: number,
    probe: boolean,
  ): number {
    const { state, ackedVid, ackedKey, inflightVid } = slots;
    const { order, latest, layouts, at: atOf, width } = table;
    const { rows, off, cur, base, mask, capacity } = this;
    const n = table.count;
    // Locals, not the modules' constants: optimised code reloads and re-checks a module binding at
    // every use.
    const ready = READY;
    const history = HISTORY;
    const oldest = table.epoch - history;
    for (; i < n; i++) {
      const row = order[i]!;
      if (state[row] !== ready) continue;
      const version = latest[row]!;
      const acked = ackedVid[row]!;
      if (version === acked || (version === inflightVid[row] && probe !== true)) continue;
      if (layouts[row] !== layout || acked <= oldest || count === capacity) break;
      const at = atOf[row]!;
      const from = (acked % history) * width + at;
      const offset = tick - ackedKey[row]!;
      if (from < 0 || offset <= 0) break;
      rows[count] = row;
      off[count] = offset;
      cur[count] = (version % history) * width + at;
      base[count] = from;
      mask[count++] = 0;
    }
    this.filled = count;
    return i;
  }

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
    this.all = Int32Array.from({ length: capacity }, (_, i) => i);
    const resid = new Float64Array(capacity * STRIDE);
    resid.set(this.resid);
    this.resid = resid;
    this.capacity = capacity;
  }
}
