import { HISTORY } from './history.js';

/** Cells of the value ring: one per capture pass kept, plus the spill cell (see #captureRows). */
const CELLS = HISTORY + 1;
/** The row list of a single-row capture. */
const ONE_ROW = new Int32Array(1);

import type { ClassLayout } from './layout.js';
import { CORE, type NetworkObject, type ObjectCore, type ObjectId } from './network-object.js';
import type { Slots } from './slots.js';
import { Tracked } from './tracked.js';

/**
 * `Math.round(y)`, exactly, without its branch (which mispredicts half the time on values with
 * random fractions, as positions are): floor(y + 0.5) is right unless the addition rounded, and
 * the check (exact: v ± 0.5 is representable for |v| < 2^51) sends those, and NaN, ±Infinity
 * and huge values, to Math.round. May return 0 for −0 (callers add 0 anyway or cannot get −0).
 */
function round(y: number): number {
  const v = Math.floor(y + 0.5);
  return v > -0x8000000000000 && v < 0x8000000000000 && y >= v - 0.5 && y < v + 0.5 ? v : Math.round(y);
}

/**
 * The objects this peer sends state for, as rows of flat arrays: the quantised values of their
 * `always` fields over the last {@link HISTORY} capture passes, their versions, ids and send order.
 * Per-receiver state lives in each stream's {@link Slots}, indexed by the same rows, so the hot
 * loops of the encoder and the ack path walk typed arrays instead of objects.
 *
 * A version is the capture pass (epoch) that recorded it, so the values of version `v` of a row
 * sit in ring cell `v % HISTORY`: a cell is rewritten only when the row changes again in a pass
 * that falls in the same cell, which is why {@link offsetOf} knows which versions are still there.
 * Only objects written since the last pass (the `@sync` setters report them) are quantised.
 */
export class SendTable {
  /** Capture passes so far. */
  epoch = 0;
  /** Rows in use, and the rows by increasing object id (the order entries go on the wire). */
  count = 0;
  order = new Int32Array(0);
  capacity = 0;
  /** Per row. */
  ids = new Float64Array(0);
  /** Bumped when a row is freed, so that late acks for its old object change nothing. */
  gen = new Int32Array(0);
  /** Rows freed so far: while unchanged since a packet was written, its rows' generations are too. */
  removals = 0;
  /** Newest, previous and the one before that version (-1: none). */
  latest = new Int32Array(0);
  previous = new Int32Array(0);
  older = new Int32Array(0);
  /** Where the row's values sit within a ring cell. */
  at = new Int32Array(0);
  priority = new Float64Array(0);
  typeIndex = new Int32Array(0);
  readonly layouts: (ClassLayout | undefined)[] = [];
  readonly handles: (Tracked | undefined)[] = [];
  /** Each row's object state (what capture reads). */
  readonly #cores: (ObjectCore | undefined)[] = [];
  /** Values: cell `c` of the ring holds `width` numbers from `c * width`. */
  ints = new Float64Array(0);
  /** Value slots (only once a class with any is added), same indexing. */
  refs: unknown[] | undefined;
  width = 0;
  #used = 0;
  readonly #freeRows: number[] = [];
  readonly #freeValues = new Map<number, number[]>();
  readonly #slots = new Set<Slots>();
  #dirty = new Int32Array(64);
  #dirtyCount = 0;

  /** Starts keeping per-row state for a receiver (grown and reset with the rows). */
  attach(slots: Slots): void {
    this.#slots.add(slots);
    slots.grow(this.capacity);
  }

  /** Stops keeping state for a receiver. */
  detach(slots: Slots): void {
    this.#slots.delete(slots);
  }

  /** Starts sending `object`'s state: a row, its current values captured as a first version. */
  add(object: NetworkObject, layout: ClassLayout, id: ObjectId, typeIndex: number, priority = 1): Tracked {
    if (this.count === this.capacity) this.#growRows();
    const row = this.#freeRows.pop() ?? this.count;
    const n = layout.count;
    if (n > 0 && layout.hasValues && !this.refs) this.refs = new Array(CELLS * this.width);
    const at = this.#allocValues(n);
    this.ids[row] = id;
    this.latest[row] = -1;
    this.previous[row] = -1;
    this.older[row] = -1;
    this.at[row] = at;
    this.priority[row] = priority;
    this.typeIndex[row] = typeIndex;
    this.layouts[row] = layout;
    for (const slots of this.#slots) slots.reset(row);
    // Insert in id order.
    let i = this.count;
    while (i > 0 && this.ids[this.order[i - 1]!]! > id) {
      this.order[i] = this.order[i - 1]!;
      i--;
    }
    this.order[i] = row;
    this.count++;
    const tracked = new Tracked(this, row, object, layout, id);
    this.handles[row] = tracked;
    const core = object[CORE];
    this.#cores[row] = core;
    core.row = row;
    core.sink = this;
    // Captured now, touched or not. A new row has no other version, so it may share the current
    // pass: a burst of spawns then stays within the recent passes (see offsetOf).
    core.touched = true;
    ONE_ROW[0] = row;
    this.#captureRows(ONE_ROW, 1, this.epoch);
    return tracked;
  }

  /** Stops sending an object's state; its row and values are reused later. */
  remove(tracked: Tracked): void {
    if (tracked.removed) return;
    tracked.removed = true;
    const row = tracked.row;
    const core = tracked.object[CORE];
    if (core.sink === this) {
      core.sink = undefined;
      core.row = -1;
    }
    this.gen[row]!++;
    this.removals++;
    let i = 0;
    while (this.order[i] !== row) i++;
    this.order.copyWithin(i, i + 1, this.count);
    this.count--;
    const n = this.layouts[row]!.count;
    let free = this.#freeValues.get(n);
    if (!free) this.#freeValues.set(n, (free = []));
    free.push(this.at[row]!);
    if (this.refs) {
      // Let go of the values it held.
      for (let c = 0; c < CELLS; c++) {
        const from = c * this.width + this.at[row]!;
        this.refs.fill(undefined, from, from + n);
      }
    }
    this.layouts[row] = undefined;
    this.handles[row] = undefined;
    this.#cores[row] = undefined;
    this.#freeRows.push(row);
  }

  /** @internal Called by the `@sync` setters the first time an object is written after a capture. */
  touch(row: number): void {
    if (this.#dirtyCount === this.#dirty.length) {
      const grown = new Int32Array(this.#dirty.length * 2);
      grown.set(this.#dirty);
      this.#dirty = grown;
    }
    this.#dirty[this.#dirtyCount++] = row;
  }

  /** Records every object written since the last capture whose wire form changed, as a new version. */
  capture(): void {
    if (this.#dirtyCount === 0) return;
    const n = this.#dirtyCount;
    this.#dirtyCount = 0;
    this.#captureRows(this.#dirty, n, ++this.epoch);
  }

  /** Records one object's state now if it was written (a spawn carries the newest state). */
  captureNow(tracked: Tracked): void {
    const core = tracked.object[CORE];
    if (tracked.removed || !core.touched) return;
    ONE_ROW[0] = tracked.row;
    this.#captureRows(ONE_ROW, 1, ++this.epoch);
  }

  /**
   * Offset in {@link ints} (and {@link refs}) of version `version` of `row`, or -1 when that
   * version's cell has been rewritten since (or never existed).
   */
  offsetOf(row: number, version: number): number {
    if (version < 0) return -1;
    const latest = this.latest[row]!;
    if (version > latest) return -1;
    // Only later versions of the row rewrite a cell: the newest always survives, and so do the
    // recent passes; an older one survives if it is one of the last three versions and neither
    // of the later ones landed in its cell.
    if (version !== latest && version <= this.epoch - HISTORY) {
      const cell = version % HISTORY;
      const previous = this.previous[row]!;
      // The previous version's values moved to the spill cell when the newest took its cell.
      if (version === previous)
        return latest % HISTORY === cell ? HISTORY * this.width + this.at[row]! : this.#at(cell, row);
      if (version !== this.older[row] || latest % HISTORY === cell || previous % HISTORY === cell) return -1;
    }
    return this.#at(version % HISTORY, row);
  }

  #at(cell: number, row: number): number {
    return cell * this.width + this.at[row]!;
  }

  /** Offset of `row`'s newest version. */
  newest(row: number): number {
    return (this.latest[row]! % HISTORY) * this.width + this.at[row]!;
  }

  /**
   * Captures the `rows` (the first `n`) that were written, as versions of pass `epoch`. One loop
   * over them all: per row, a call to a function this size (V8 does not inline it) cost about as
   * much as quantising its fields.
   */
  #captureRows(rows: Int32Array, n: number, epoch: number): void {
    const cores = this.#cores;
    const width = this.width;
    const ints = this.ints;
    const refs = this.refs;
    // A local, not the module's constant: optimised code reloads and re-checks a module binding at
    // every use.
    const history = HISTORY;
    const cell = epoch % history;
    const { latest: latestOf, previous, older, layouts, at: atOf } = this;
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      // A row freed (and perhaps reused) since it was written is captured by its new owner's add().
      const core = cores[row];
      // `!== true`, not `!`: a boolean field read from an object is of unknown type to the
      // optimiser, and negating it takes a dozen checks (strings, numbers, bigints).
      if (core === undefined || core.touched !== true) continue;
      core.touched = false;
      const values = core.values;
      const layout = layouts[row]!;
      const count = layout.count;
      const latest = latestOf[row]!;
      const rowAt = atOf[row]!;
      const prev = latest >= 0 ? (latest % history) * width + rowAt : -1;
      // Quantised straight into the new version's cell. Unchanged, that cell only got a copy of
      // the newest version's values, which matters only if it held an older version (checked
      // below). Unless the newest version itself sits in that cell: then into scratch space first.
      const at = cell * width + rowAt;
      const collision = prev === at;
      const out = collision ? layout.scratchInts : ints;
      const outRefs = collision ? layout.scratchRefs : refs;
      const outAt = collision ? 0 : at;
      let changed = prev < 0;
      const quantizers = layout.quantizers;
      for (let s = 0; s < count; s++) {
        const q = quantizers[s]!;
        const raw = values[q.field];
        const kind = q.kind;
        if (kind >= 0) {
          // The codec's toInt, inlined (see Quantizer).
          let x = typeof raw === 'number' ? raw : Number(raw);
          // Not finite (NaN, ±Infinity): x − x is NaN.
          if (x - x !== 0) x = 0;
          const scale = q.scale;
          const min = q.min;
          const max = q.max;
          let v: number;
          if (kind === 0) {
            // + 0 turns a −0 into 0.
            v = Math.min(max, Math.max(min, round(x * scale))) + 0;
          } else if (kind === 1) {
            v = round((Math.min(max, Math.max(min, x)) - min) * scale);
          } else {
            // Angles: the modulus is a power of two, so masking wraps (negative values included).
            v = round(x * scale);
            if (v >= -2147483648 && v <= 2147483647) v &= max;
            else {
              v %= max + 1;
              if (v < 0) v += max + 1;
              v += 0;
            }
          }
          if (!changed && ints[prev + s] !== v) changed = true;
          out[outAt + s] = v;
        } else {
          const codec = layout.codecs[s]!;
          const v = codec.normalize(raw);
          if (!changed && !codec.equals(refs![prev + s], v)) changed = true;
          outRefs![outAt + s] = v;
        }
      }
      if (collision) {
        if (!changed) continue;
        // The newest version becomes the previous one and moves to the spill cell.
        const spill = history * width + rowAt;
        ints.copyWithin(spill, at, at + count);
        ints.set(out.subarray(0, count), at);
        // Only a class with value slots has scratch refs (an integer-only class's refs stay empty,
        // even in a table that holds value slots for other classes).
        if (outRefs) {
          for (let s = 0; s < count; s++) {
            refs![spill + s] = refs![at + s];
            refs![at + s] = outRefs[s];
          }
        }
      } else if (!changed) {
        // The cell now holds the newest values: an older version that lived there is gone.
        if (previous[row]! >= 0 && previous[row]! % history === cell) previous[row] = -1;
        if (older[row]! >= 0 && older[row]! % history === cell) older[row] = -1;
        continue;
      }
      older[row] = previous[row]!;
      previous[row] = latest;
      latestOf[row] = epoch;
    }
  }

  #allocValues(n: number): number {
    const free = this.#freeValues.get(n);
    if (free && free.length > 0) return free.pop()!;
    if (this.#used + n > this.width) this.#growValues(Math.max(256, this.width * 2, this.#used + n));
    const at = this.#used;
    this.#used += n;
    return at;
  }

  #growValues(width: number): void {
    const ints = new Float64Array(CELLS * width);
    const refs = this.refs ? new Array(CELLS * width) : undefined;
    for (let c = 0; c < CELLS; c++) {
      ints.set(this.ints.subarray(c * this.width, c * this.width + this.#used), c * width);
      if (refs) for (let i = 0; i < this.#used; i++) refs[c * width + i] = this.refs![c * this.width + i];
    }
    this.ints = ints;
    this.refs = refs;
    this.width = width;
  }

  #growRows(): void {
    const capacity = Math.max(64, this.capacity * 2);
    const grow32 = (old: Int32Array) => {
      const next = new Int32Array(capacity);
      next.set(old);
      return next;
    };
    const grow64 = (old: Float64Array) => {
      const next = new Float64Array(capacity);
      next.set(old);
      return next;
    };
    this.order = grow32(this.order);
    this.gen = grow32(this.gen);
    this.latest = grow32(this.latest);
    this.previous = grow32(this.previous);
    this.older = grow32(this.older);
    this.at = grow32(this.at);
    this.typeIndex = grow32(this.typeIndex);
    this.ids = grow64(this.ids);
    this.priority = grow64(this.priority);
    this.capacity = capacity;
    for (const slots of this.#slots) slots.grow(capacity);
  }
}
