import type { Arena } from './arena.js';
import { type BitWriter, zigzag } from './bits.js';
import { isToggle } from './codecs.js';
import { residual, slotDelta } from './coding.js';
import type { ClassCoding, StreamCoding } from './encoder-coding.js';
import { type EntryTable, STRIDE } from './entry-table.js';
import type { ClassLayout } from './layout.js';
import type { PacketSet } from './packet-set.js';
import type { SendTable } from './send-table.js';
import { SEQ_BITS } from './seq.js';
import type { StateStream } from './state-stream.js';

/** Bits of the entry count field (patched once the datagram is full). */
export const COUNT_BITS = 16;

/** One stream's packets of one tick, as {@link writePackets} needs them. */
export interface PacketJob {
  stream: StateStream;
  coding: StreamCoding;
  /** Indices into the entry table, in id order. */
  selected: Int32Array;
  tick: number;
  now: number;
  /** Filled with the entries written, in order, which the packet records refer to. */
  set: PacketSet;
  /** Filled with where each datagram's entries end in `set`. */
  ends: number[];
  /** Where the datagrams go. */
  arena: Arena;
}

/**
 * Writes the selected entries into as many datagrams as they need, each within `maxBytes`: an
 * entry that would overflow a datagram is taken back and starts the next one. Each datagram is
 * recorded in the stream before it is returned.
 */
export function writePackets(
  w: BitWriter,
  table: EntryTable,
  values: SendTable,
  present: readonly ClassCoding[],
  job: PacketJob,
  maxBytes: number,
  stats: { oversized: number },
): Uint8Array[] {
  const { stream, coding, selected, tick, now, ends, arena, set } = job;
  const out: Uint8Array[] = [];
  const limitBits = maxBytes * 8;
  const rows = table.rows;
  const { ids, gen, latest } = values;
  set.reserve(selected.length);
  set.removals = values.removals;
  const setRows = set.rows;
  const setGens = set.gens;
  const setVids = set.vids;
  // The writer builds for a stream alone or a cohort's leader, never a follower: what it writes
  // is marked in flight in the slots as it goes (see StateStream.sent).
  const { inflightVid, accum, waited } = stream.slots;
  let n = 0;
  let from = 0;
  let lastLayout: ClassLayout | undefined;
  let cc: ClassCoding | undefined;
  let record = stream.open(tick, now);
  let countAt = writeHeader(w, record.seq, coding, present, tick);
  let inDatagram = 0;
  let prevId = 0;
  const { off, cur, base } = table;
  const { layouts, ints } = values;
  // The usual entry (a delta of integers, short codes) is written here, in the loop, straight
  // into the writer's buffer (as a function it is too big for V8 to inline, and a call a code
  // costs as much as the coding). The code orders are checked once, not per entry.
  const idK = coding.idK;
  const offK = coding.offK;
  const offBias = coding.offBias;
  const headOrders = idK <= FAST_MAX_ORDER && offK <= FAST_MAX_ORDER;
  // A local, not the module's constant: optimised code reloads and re-checks a module binding at
  // every use, which in this loop costs as much as a code.
  const maxResidual = FAST_MAX_RESIDUAL;
  let fast = false;
  let slots = 0;
  let roomBytes = 0;
  let commonMask = 0;
  const params = PARAMS;
  const count = selected.length;
  for (let i = 0; i < count; i++) {
    if (fast && inDatagram > 0) {
      // The run of usual entries that follows, written with the writer's position in locals.
      // It stops before the first entry it cannot write so (another class, a whole state, a long
      // code, another mask, no room left): the general path below writes that one the same way.
      // Each code (≤ 24 bits) stores four bytes past the whole ones it reaches: room for that
      // past the datagram's limit, once for the run.
      const view = w.roomView(maxBytes + roomBytes - w.wholeBytes);
      let pos = w.wholeBytes;
      let acc = w.pending;
      let bits = w.pendingBits;
      for (; i < count; i++) {
        const e = selected[i]!;
        const row = rows[e]!;
        const offset = off[e]!;
        if (layouts[row] !== lastLayout || offset <= 0) break;
        const id = ids[row]!;
        // Code 0 is the id gap, the baseline offset and the one bit of the class's common mask.
        // Int32 arithmetic throughout (orders ≤ 23, residuals under 2^22), which keeps it cheap.
        const idGap = id - prevId - 1;
        let r = offset - offBias;
        if (!(idGap < maxResidual && r > -maxResidual && r < maxResidual)) break;
        let code = idGap + (1 << idK);
        let length = 2 * (32 - Math.clz32(code)) - idK - 1;
        let head = code;
        let headBits = length;
        code = ((r << 1) ^ (r >> 31)) + (1 << offK);
        length = 2 * (32 - Math.clz32(code)) - offK - 1;
        head = (head << length) | code;
        headBits += length + 1;
        if (headBits > 24) break;
        let at = pos;
        let a = (acc << headBits) | (head << 1) | 1;
        let b = bits + headBits;
        // Under 8 pending bits and a code of at most 24 make at most 31: the four bytes they
        // reach are stored at once, whether or not they are whole (how many are is
        // data-dependent, and a branch on it mispredicts); the ones not yet whole get
        // overwritten later. Bits of `a` above the pending ones are shifted out by each store
        // (at most 31 bits are live) and by the int32 shift of the next code.
        view.setInt32(at, a << (32 - b));
        at += b >>> 3;
        b &= 7;
        let mask = 0;
        const c = cur[e]!;
        const baseAt = base[e]!;
        let s = 0;
        for (; s < slots; s++) {
          // slotDelta, written out (a call to an imported function is checked at every use).
          let d = ints[c + s]! - ints[baseAt + s]!;
          const p = params[s]!;
          const modulus = p.modulus;
          if (modulus > 0) {
            if (d >= modulus / 2) d -= modulus;
            else if (d < -modulus / 2) d += modulus;
          }
          if (d === 0) continue;
          mask |= 1 << s;
          const k = p.k;
          r = d - p.bias;
          if (!(r > -maxResidual && r < maxResidual)) break;
          code = ((r << 1) ^ (r >> 31)) + (1 << k);
          length = 2 * (32 - Math.clz32(code)) - k - 1;
          if (length > 24) break;
          a = (a << length) | code;
          b += length;
          view.setInt32(at, a << (32 - b));
          at += b >>> 3;
          b &= 7;
        }
        if (s !== slots || mask !== commonMask || at * 8 + b > limitBits) break;
        pos = at;
        acc = a & ((1 << b) - 1);
        bits = b;
        prevId = id;
        inDatagram++;
        const vid = latest[row]!;
        setRows[n] = row;
        setGens[n] = gen[row]!;
        setVids[n++] = vid;
        inflightVid[row] = vid;
      }
      w.seek(pos, acc, bits);
      if (i === count) break;
    }
    const e = selected[i]!;
    const row = rows[e]!;
    const id = ids[row]!;
    const layout = layouts[row]!;
    if (layout !== lastLayout) {
      lastLayout = layout;
      cc = coding.classes.get(layout)!;
      slots = layout.count;
      commonMask = cc.mask;
      roomBytes = 4 * (slots + 1) + 4;
      // `=== true`: a boolean the optimiser can see is one, tested per entry without a dozen checks.
      fast = headOrders && layout.hasValues !== true && ordersWithin(cc.k, slots) === true;
      if (fast) {
        const { moduli } = layout;
        const { k, bias } = cc;
        for (let s = 0; s < slots; s++) {
          const p = params[s]!;
          p.modulus = moduli[s]!;
          p.k = k[s]!;
          p.bias = bias[s]!;
        }
      }
    }
    w.mark();
    if (inDatagram === 0) w.writeVarint(id);
    else w.writeExpGolomb(id - prevId - 1, coding.idK);
    writeEntry(w, table, values, layout, cc!, coding, e);
    const fits = w.bitLength <= limitBits;
    if (!fits) w.rewind();
    if (!fits) {
      if (inDatagram === 0) {
        // Alone it does not fit: it can never be sent as state.
        stats.oversized++;
        continue;
      }
      record.adopt(set, from, n);
      out.push(close(w, arena, stream, record, countAt, inDatagram));
      ends.push(n);
      from = n;
      record = stream.open(tick, now);
      countAt = writeHeader(w, record.seq, coding, present, tick);
      inDatagram = 0;
      i--;
      continue;
    }
    prevId = id;
    inDatagram++;
    const vid = latest[row]!;
    setRows[n] = row;
    setGens[n] = gen[row]!;
    setVids[n++] = vid;
    inflightVid[row] = vid;
  }
  set.length = n;
  // What the records' `sent` would do per datagram, done here (the entries in flight are marked
  // as they are written): sending resets the accumulated priority of what waited.
  if (waited) for (let i = 0; i < n; i++) accum[setRows[i]!] = 0;
  if (inDatagram > 0) {
    record.adopt(set, from, n);
    out.push(close(w, arena, stream, record, countAt, inDatagram));
    ends.push(n);
  }
  return out;
}

/** One slot's code parameters, as the writer's loop reads them: one object, not three arrays. */
class SlotParams {
  modulus = 0;
  k = 0;
  bias = 0;
}

/** The current class's slots' parameters (filled when the class changes; single-threaded). */
const PARAMS = Array.from({ length: STRIDE }, () => new SlotParams());

/** Largest order, and magnitude of a residual, whose codes the loop writes itself (< 2^24 bits). */
const FAST_MAX_ORDER = 23;
const FAST_MAX_RESIDUAL = 0x400000;

/** Whether the first `n` orders are all at most {@link FAST_MAX_ORDER}. */
function ordersWithin(orders: Int32Array, n: number): boolean {
  for (let s = 0; s < n; s++) if (orders[s]! > FAST_MAX_ORDER) return false;
  return true;
}

/** Starts a datagram: sequence number, tick, code parameters; returns where the count goes. */
function writeHeader(
  w: BitWriter,
  seq: number,
  coding: StreamCoding,
  present: readonly ClassCoding[],
  tick: number,
): number {
  w.reset();
  w.writeBits(seq & 0xffff, SEQ_BITS);
  w.writeVarint(tick);
  w.writeBits(coding.offK, 5);
  w.writeSignedExpGolomb(coding.offBias, 0);
  w.writeBits(coding.idK, 5);
  w.writeExpGolomb(present.length, 0);
  for (const cc of present) {
    const layout = cc.layout;
    w.writeExpGolomb(cc.typeIndex, 0);
    w.writeBits(cc.mask >>> 0, layout.count);
    for (let s = 0; s < layout.count; s++) {
      if (layout.moduli[s]! < 0) continue;
      w.writeBits(cc.k[s]!, 5);
      w.writeSignedExpGolomb(cc.bias[s]!, 0);
    }
  }
  const countAt = w.bitLength;
  w.writeBits(0, COUNT_BITS);
  return countAt;
}

function close(
  w: BitWriter,
  arena: Arena,
  stream: StateStream,
  record: ReturnType<StateStream['open']>,
  countAt: number,
  n: number,
): Uint8Array {
  w.patchBits(countAt, n, COUNT_BITS);
  const bytes = arena.take(w);
  stream.sent(record, bytes.length, true);
  return bytes;
}

function writeEntry(
  w: BitWriter,
  table: EntryTable,
  values: SendTable,
  layout: ClassLayout,
  cc: ClassCoding,
  coding: StreamCoding,
  e: number,
): void {
  const off = table.off[e]!;
  w.writeExpGolomb(zigzag(off - coding.offBias), coding.offK);
  const cur = table.cur[e]!;
  if (off === 0) {
    writeFull(w, layout, values, cur);
    return;
  }
  if (!layout.hasValues) {
    writeIntDeltas(w, values.ints, cur, table.base[e]!, layout, cc);
    return;
  }
  const mask = table.mask[e]!;
  if (mask === cc.mask) w.writeBool(true);
  else {
    w.writeBool(false);
    w.writeBits(mask >>> 0, layout.count);
  }
  const row = e * STRIDE;
  const moduli = layout.moduli;
  const resid = table.resid;
  const k = cc.k;
  for (let s = 0; s < layout.count; s++) {
    if (!(mask & (1 << s))) continue;
    if (moduli[s]! >= 0) w.writeExpGolomb(resid[row + s]!, k[s]!);
    else if (!isToggle(layout.codecs[s]!)) layout.codecs[s]!.write(w, values.refs![cur + s]);
  }
}

/** Residuals of one entry of an integer-only class (written after its change mask). */
const RESIDUALS = new Float64Array(STRIDE);

/** Writes the change mask and the residuals of an entry whose slots are all integers. */
function writeIntDeltas(
  w: BitWriter,
  ints: Float64Array,
  cur: number,
  base: number,
  layout: ClassLayout,
  cc: ClassCoding,
): void {
  const n = layout.count;
  const moduli = layout.moduli;
  const bias = cc.bias;
  let mask = 0;
  for (let s = 0; s < n; s++) {
    const d = slotDelta(ints[cur + s]!, ints[base + s]!, moduli[s]!);
    if (d === 0) continue;
    mask |= 1 << s;
    RESIDUALS[s] = residual(d, bias[s]!);
  }
  if (mask === cc.mask) w.writeBool(true);
  else {
    w.writeBool(false);
    w.writeBits(mask >>> 0, n);
  }
  const k = cc.k;
  for (let s = 0; s < n; s++) if (mask & (1 << s)) w.writeExpGolomb(RESIDUALS[s]!, k[s]!);
}

/** Writes every `always` field of the values at offset `cur` of the send table whole. */
export function writeFull(w: BitWriter, layout: ClassLayout, values: SendTable, cur: number): void {
  for (let s = 0; s < layout.count; s++) {
    const int = layout.ints[s];
    if (int) int.writeInt(w, values.ints[cur + s]!);
    else layout.codecs[s]!.write(w, values.refs![cur + s]);
  }
}
