import { Arena } from './arena.js';
import { BitWriter, bitLength, zigzag } from './bits.js';
import { isToggle } from './codecs.js';
import { approxBits, bestOrder, HISTOGRAM_SIZE, histogramBits, residual, slotDelta } from './coding.js';
import { Cohort } from './cohort.js';
import { ClassCoding, SAMPLES, STAT_ENTRIES, StreamCoding } from './encoder-coding.js';
import { matches, reuse, SharedBuild } from './encoder-share.js';
import { EntryTable, STRIDE } from './entry-table.js';
import { HISTORY } from './history.js';
import type { ClassLayout } from './layout.js';
import { PacketSet } from './packet-set.js';
import { writeFull, writePackets } from './packet-writer.js';
import type { SendTable } from './send-table.js';
import { READY } from './slots.js';
import type { StateStream } from './state-stream.js';

/** Different packet sets kept per tick for receivers in the same situation to share. */
const SHARED_PER_TICK = 4;

/** How the encoder fits a tick's state into datagrams. */
export interface EncoderLimits {
  /** Largest datagram body in bytes. */
  maxBytes: number;
  /** Most bytes one receiver gets per tick (the rest waits, by priority). */
  budgetBytes: number;
}

/** Counters of an encoder (for tests and benchmarks). */
export interface EncoderStats {
  /** Streams whose packets were encoded. */
  encoded: number;
  /** Streams that got another stream's packets (same objects, same baselines, same biases). */
  shared: number;
  /** Entries too large for a datagram on their own (dropped). */
  oversized: number;
}

/**
 * Turns the objects' newest states into state datagrams for one receiver. It picks what changed
 * since the receiver's acknowledged baseline, ranks it by accumulated priority when it does not
 * fit the byte budget, and writes each change as an exp-Golomb code of (delta − bias), with the
 * order k chosen per field per tick from the tick's own deltas and the bias taken from the
 * previous tick (so objects moving alike cost a bit or two per field). Receivers in the same
 * situation (same objects pending against the same baselines) share one encoding per tick. One
 * encoder serves every stream of a peer.
 */
export class StateEncoder {
  readonly stats: EncoderStats = { encoded: 0, shared: 0, oversized: 0 };
  readonly #e = new EntryTable();
  /** Bits measured in pass one that histograms do not count (whole states, value slots). */
  #extraBits = 0;
  readonly #writer = new BitWriter(2048);
  readonly #measure = new BitWriter(256);
  readonly #coding = new WeakMap<StateStream, StreamCoding>();
  readonly #present: ClassCoding[] = [];
  readonly #shared: SharedBuild[] = [];
  #sharedCount = 0;
  readonly #sets: PacketSet[] = [];
  readonly #arena = new Arena();
  #sharedTick = Number.NaN;

  constructor(readonly limits: EncoderLimits) {}

  /**
   * Builds this tick's datagrams for `stream` from its table's newest versions. Each datagram is
   * recorded in the stream (for acks) before it is returned. The datagrams are views into the
   * encoder's buffer, valid until the next call: send (or copy) them at once.
   */
  build(stream: StateStream, tick: number, now: number): Uint8Array[] {
    const cohort = stream.cohort ?? stream.owed;
    if (!cohort) return this.#alone(stream, tick, now);
    if (stream.cohort === cohort && cohort.leader !== stream) this.stats.shared++;
    return cohort.build(stream, tick, now, (s) => this.#alone(s, tick, now));
  }

  #alone(stream: StateStream, tick: number, now: number): Uint8Array[] {
    stream.expire(now);
    if (tick !== this.#sharedTick) {
      for (let i = 0; i < this.#sharedCount; i++) this.#shared[i]!.drop();
      this.#sharedCount = 0;
      this.#sharedTick = tick;
      this.#arena.reset();
    }
    let out = this.#build(stream, tick, now, false);
    // Tail-loss probe: when the stream falls idle with packets unacknowledged, their objects go
    // again 1, 2, 4, 8 and 16 ticks later, so a lost last packet costs a tick or two, not a timeout.
    const idle = stream.idleTicks;
    if (out.length === 0 && idle > 0 && idle <= 16 && (idle & (idle - 1)) === 0) {
      out = this.#build(stream, tick, now, true);
    }
    stream.idleTicks = out.length > 0 ? 0 : idle + 1;
    return out;
  }

  #build(stream: StateStream, tick: number, now: number, probe: boolean): Uint8Array[] {
    const coding = this.#codingOf(stream);
    for (let i = 0; i < this.#sharedCount; i++) {
      const shared = this.#shared[i]!;
      if (shared.probe === probe && shared.table === stream.table && matches(stream, shared, coding)) {
        this.stats.shared++;
        const out = reuse(stream, shared, tick, now, coding);
        // Exactly alike, the two may share their bookkeeping from now on.
        Cohort.tryJoin(shared.stream!, stream, tick);
        return out;
      }
    }
    const count = this.#collect(stream, tick, probe, coding);
    if (count === 0) return [];
    this.stats.encoded++;
    coding.offK = bestOrder(coding.offHistogram);
    coding.idK = bestOrder(coding.idHistogram);
    for (const cc of this.#present) cc.choose();
    // The biases this encoding uses, kept in case other streams turn out to be in the same situation.
    const candidate =
      this.#sharedCount < SHARED_PER_TICK
        ? (this.#shared[this.#sharedCount] ??= new SharedBuild())
        : undefined;
    if (candidate) coding.snapshot(this.#present, candidate.before);
    const overBudget = this.#estimate(coding, count) > this.limits.budgetBytes * 8;
    const selected = overBudget ? this.#select(stream, coding, count) : this.#all(count);
    const ends: number[] = [];
    const oversized = this.stats.oversized;
    const set = PacketSet.take(this.#sets, selected.length);
    const out =
      selected.length > 0
        ? writePackets(
            this.#writer,
            this.#e,
            stream.table,
            this.#present,
            { stream, coding, selected, tick, now, set, ends, arena: this.#arena },
            this.limits.maxBytes,
            this.stats,
          )
        : [];
    coding.learn(this.#present);
    if (candidate && !overBudget && out.length > 0 && this.stats.oversized === oversized) {
      this.#sharedCount++;
      candidate.table = stream.table;
      candidate.stream = stream;
      candidate.probe = probe;
      candidate.hold(set, stream.slots);
      coding.snapshot(this.#present, candidate.after);
      candidate.datagrams = out;
      candidate.ends = ends;
    }
    set.release();
    return out;
  }

  /** Pass one: the entries to send, their deltas, and the statistics the codes are chosen from. */
  #collect(stream: StateStream, tick: number, probe: boolean, coding: StreamCoding): number {
    const present = this.#present;
    present.length = 0;
    coding.begin();
    this.#extraBits = 0;
    const table = stream.table;
    const { state, ackedVid, ackedKey, inflightVid } = stream.slots;
    const { order, latest, ids, layouts, at: atOf } = table;
    const e = this.#e;
    const width = table.width;
    // Locals, not the modules' constants: optimised code reloads and re-checks a module binding at
    // every use.
    const history = HISTORY;
    const ready = READY;
    const statEntries = STAT_ENTRIES;
    const samples = SAMPLES;
    const oldest = table.epoch - history;
    let count = 0;
    let prevId = -1;
    let lastLayout: ClassLayout | undefined;
    let cc: ClassCoding | undefined;
    const offHistogram = coding.offHistogram;
    const idHistogram = coding.idHistogram;
    const offBias = coding.offBias;
    for (let i = 0; i < table.count; i++) {
      if (count >= statEntries && cc !== undefined && cc.statEntries >= statEntries && !cc.layout.hasValues) {
        // Past the statistics, the usual entries of an integer-only class only need their offsets.
        const from = count;
        i = e.appendRun(table, stream.slots, cc.layout, i, count, tick, probe);
        count = e.filled;
        cc.entries += count - from;
        if (i === table.count) break;
      }
      const row = order[i]!;
      if (state[row] !== ready) continue;
      const version = latest[row]!;
      const acked = ackedVid[row]!;
      if (version === acked || (version === inflightVid[row] && !probe)) continue;
      if (count === e.capacity) e.grow();
      const layout = layouts[row]!;
      if (layout !== lastLayout) {
        lastLayout = layout;
        cc = coding.classes.get(layout);
        if (cc === undefined) {
          cc = new ClassCoding(layout, table.typeIndex[row]!);
          coding.classes.set(layout, cc);
        }
        if (cc.seen !== tick) {
          cc.seen = tick;
          cc.reset();
          present.push(cc);
        }
      }
      const at = atOf[row]!;
      const cur = (version % history) * width + at;
      // The baseline's values, if its ring cell still holds them (usually a recent pass).
      const base = acked > oldest ? (acked % history) * width + at : table.offsetOf(row, acked);
      let off = tick - ackedKey[row]!;
      if (base < 0 || off <= 0) off = 0;
      e.rows[count] = row;
      e.off[count] = off;
      e.cur[count] = cur;
      e.base[count] = base;
      // Code parameters come from the first entries' statistics (plenty to choose them from).
      const stats = count < statEntries;
      const id = ids[row]!;
      if (stats) {
        if (prevId >= 0) idHistogram[bitLength(id - prevId - 1)]!++;
        offHistogram[bitLength(zigzag(off - offBias))]!++;
        if (off > 0 && coding.offSampled < samples) coding.offSamples[coding.offSampled++] = off;
      }
      prevId = id;
      let mask = 0;
      if (off === 0) {
        mask = layout.fullMask;
        this.#extraBits += this.#fullBits(layout, table, cur);
      } else {
        // Past the statistics' entries, the writer computes the deltas of integer slots itself.
        const classStats = cc!.statEntries < statEntries;
        if (classStats || layout.hasValues) {
          mask = this.#deltas(cc!, table, base, cur, count * STRIDE, classStats);
          if (classStats) cc!.vote(mask);
        }
        cc!.entries++;
      }
      e.mask[count] = mask;
      count++;
    }
    return count;
  }

  /** Computes an entry's deltas against its baseline into the residual row; returns the change mask. */
  #deltas(cc: ClassCoding, table: SendTable, base: number, cur: number, row: number, stats: boolean): number {
    const layout = cc.layout;
    const n = layout.count;
    const ints = table.ints;
    const moduli = layout.moduli;
    const hist = cc.histogram;
    const bias = cc.bias;
    const resid = this.#e.resid;
    const { sampled, samples } = cc;
    // Locals, not the modules' constants: optimised code reloads and re-checks a module binding at
    // every use.
    const histogramSize = HISTOGRAM_SIZE;
    const sampleCount = SAMPLES;
    let mask = 0;
    for (let s = 0; s < n; s++) {
      const modulus = moduli[s]!;
      if (modulus >= 0) {
        const d = slotDelta(ints[cur + s]!, ints[base + s]!, modulus);
        if (d === 0) continue;
        mask |= 1 << s;
        const z = residual(d, bias[s]!);
        resid[row + s] = z;
        if (stats) {
          hist[s * histogramSize + bitLength(z)]!++;
          const taken = sampled[s]!;
          if (taken < sampleCount) {
            samples[s * sampleCount + taken] = d;
            sampled[s] = taken + 1;
          }
        }
      } else if (!layout.codecs[s]!.equals(table.refs![base + s], table.refs![cur + s])) {
        mask |= 1 << s;
        const bits = this.#valueBits(layout, table, cur, s);
        resid[row + s] = bits;
        this.#extraBits += bits;
      }
    }
    return mask;
  }

  /**
   * Size of this tick's entries from the histograms, scaled up from the entries they counted (a
   * little over: ids and masks counted whole).
   */
  #estimate(coding: StreamCoding, count: number): number {
    let bits = this.#extraBits + count * 2;
    const counted = Math.min(count, STAT_ENTRIES);
    bits +=
      ((histogramBits(coding.offHistogram, coding.offK) + histogramBits(coding.idHistogram, coding.idK)) *
        count) /
      counted;
    for (const cc of this.#present) {
      bits += (cc.entries - (cc.entries >> 1)) * cc.layout.count;
      if (cc.statEntries === 0) continue;
      let fields = 0;
      for (let s = 0; s < cc.layout.count; s++) {
        if (cc.layout.moduli[s]! < 0) continue;
        fields += histogramBits(
          cc.histogram.subarray(s * HISTOGRAM_SIZE, (s + 1) * HISTOGRAM_SIZE),
          cc.k[s]!,
        );
      }
      bits += (fields * cc.entries) / cc.statEntries;
    }
    return bits;
  }

  #all(count: number): Int32Array {
    return this.#e.all.subarray(0, count);
  }

  /** Over budget: the entries with the highest accumulated priority that fit, in id order. */
  #select(stream: StateStream, coding: StreamCoding, count: number): Int32Array {
    const rows = this.#e.rows;
    const { priority } = stream.table;
    const slotAccum = stream.slots.accum;
    stream.slots.waited = true;
    this.#fillDeltas(stream.table, coding, count);
    // Everything pending waited one more tick (under budget it all goes, and sending resets it).
    for (let i = 0; i < count; i++) slotAccum[rows[i]!]! += priority[rows[i]!]!;
    const ranked = Array.from({ length: count }, (_, i) => i);
    const accum = ranked.map((i) => slotAccum[rows[i]!]!);
    ranked.sort((a, b) => accum[b]! - accum[a]!);
    const budgetBits = this.limits.budgetBytes * 8;
    const keep = new Uint8Array(count);
    let bits = 0;
    for (const i of ranked) {
      const cost = this.#entryBits(stream.table, coding, i) + coding.idK + 8;
      // The first always goes, so that an object bigger than the budget is not stuck forever.
      if (bits > 0 && bits + cost > budgetBits) continue;
      bits += cost;
      keep[i] = 1;
    }
    const order = this.#e.order;
    let n = 0;
    for (let i = 0; i < count; i++) if (keep[i]) order[n++] = i;
    return order.subarray(0, n);
  }

  /** Computes the change masks and residuals pass one left to the writer (for {@link #entryBits}). */
  #fillDeltas(table: SendTable, coding: StreamCoding, count: number): void {
    const e = this.#e;
    for (let i = 0; i < count; i++) {
      const layout = table.layouts[e.rows[i]!]!;
      if (e.off[i] === 0 || layout.hasValues) continue;
      e.mask[i] = this.#deltas(coding.classes.get(layout)!, table, e.base[i]!, e.cur[i]!, i * STRIDE, false);
    }
  }

  /** Approximate size of entry `e` without its id. */
  #entryBits(table: SendTable, coding: StreamCoding, e: number): number {
    const layout = table.layouts[this.#e.rows[e]!]!;
    const off = this.#e.off[e]!;
    let bits = approxBits(bitLength(zigzag(off - coding.offBias)), coding.offK);
    if (off === 0) return bits + this.#fullBits(layout, table, this.#e.cur[e]!);
    const cc = coding.classes.get(layout)!;
    const mask = this.#e.mask[e]!;
    bits += mask === cc.mask ? 1 : 1 + layout.count;
    for (let s = 0; s < layout.count; s++) {
      if (!(mask & (1 << s))) continue;
      const resid = this.#e.resid[e * STRIDE + s]!;
      bits += layout.moduli[s]! >= 0 ? approxBits(bitLength(resid), cc.k[s]!) : resid;
    }
    return bits;
  }

  #fullBits(layout: ClassLayout, table: SendTable, cur: number): number {
    const w = this.#measure;
    w.reset();
    writeFull(w, layout, table, cur);
    return w.bitLength;
  }

  #valueBits(layout: ClassLayout, table: SendTable, cur: number, slot: number): number {
    const codec = layout.codecs[slot]!;
    if (isToggle(codec)) return 0;
    const w = this.#measure;
    w.reset();
    codec.write(w, table.refs![cur + slot]);
    return w.bitLength;
  }

  #codingOf(stream: StateStream): StreamCoding {
    let coding = this.#coding.get(stream);
    if (!coding) {
      coding = new StreamCoding();
      this.#coding.set(stream, coding);
    }
    return coding;
  }
}
