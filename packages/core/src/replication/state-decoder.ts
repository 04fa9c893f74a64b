import { BadPacketError } from '../errors.js';
import { BitReader } from './bits.js';
import { isToggle } from './codecs.js';
import { STRIDE } from './entry-table.js';
import type { Received } from './history.js';
import type { ClassLayout } from './layout.js';
import { COUNT_BITS } from './packet-writer.js';
import { SEQ_BITS } from './seq.js';

/** A remote object as the decoder needs it. */
export interface RemoteRef {
  readonly id: number;
  readonly layout: ClassLayout;
  /** The class's index in the sender's type table. */
  readonly typeIndex: number;
  readonly history: Received;
}

/** Where decoded state goes. */
export interface DecodeTarget {
  /** An object the sender may name (spawned here, or despawned so recently that packets may trail). */
  lookup(id: number): RemoteRef | undefined;
  /** A class by its index in the sender's type table. */
  layoutOf(typeIndex: number): ClassLayout | undefined;
  /** An entry decoded into `ref.history` at `offset`, filed under `tick`; `newest`: no newer state is known. */
  commit(ref: RemoteRef, offset: number, tick: number, newest: boolean): void;
  /** The baseline the sender named for `id` is gone: it must send the object whole. */
  resync(id: number): void;
}

interface PacketClass {
  mask: number;
  k: Int32Array;
  bias: Float64Array;
}

/** The header of a state datagram. */
export interface StateHeader {
  /** Low 16 bits of the sequence number. */
  seq: number;
  tick: number;
}

/**
 * Decodes state datagrams. Everything is read and checked before anything is stored, so a
 * malformed datagram (a `BadPacketError`) changes nothing.
 */
export class StateDecoder {
  #refs: RemoteRef[] = [];
  #skip = new Uint8Array(0);
  #ints = new Float64Array(0);
  #values: unknown[] = [];

  /** Reads the sequence number and tick of a datagram without decoding it. */
  header(body: Uint8Array): StateHeader {
    const r = new BitReader(body);
    return { seq: r.readBits(SEQ_BITS), tick: r.readVarint() };
  }

  /** Decodes `body` and hands every entry to `target`. */
  decode(body: Uint8Array, target: DecodeTarget): StateHeader {
    const r = new BitReader(body);
    const seq = r.readBits(SEQ_BITS);
    const tick = r.readVarint();
    const offK = r.readBits(5);
    const offBias = r.readSignedExpGolomb(0);
    const idK = r.readBits(5);
    const classCount = r.readExpGolomb(0);
    if (classCount > 256) throw new BadPacketError('too many classes in a state packet');
    const classes = new Map<number, PacketClass>();
    for (let c = 0; c < classCount; c++) {
      const typeIndex = r.readExpGolomb(0);
      const layout = target.layoutOf(typeIndex);
      if (!layout) throw new BadPacketError(`state packet names unknown type ${typeIndex}`);
      const mask = r.readBits(layout.count);
      const k = new Int32Array(layout.count);
      const bias = new Float64Array(layout.count);
      for (let s = 0; s < layout.count; s++) {
        if (!layout.ints[s]) continue;
        k[s] = r.readBits(5);
        bias[s] = r.readSignedExpGolomb(0);
      }
      classes.set(typeIndex, { mask, k, bias });
    }
    const count = r.readBits(COUNT_BITS);
    // Every entry takes at least three bits: a count beyond that is a lie (and a big allocation).
    if (count * 3 > r.remainingBits + 8) throw new BadPacketError('entry count exceeds the packet');
    this.#ensure(count);
    let id = 0;
    for (let i = 0; i < count; i++) {
      id = i === 0 ? r.readVarint() : id + 1 + r.readExpGolomb(idK);
      const ref = target.lookup(id);
      if (!ref) throw new BadPacketError(`state for unknown object ${id}`);
      const params = classes.get(ref.typeIndex);
      if (!params) throw new BadPacketError(`object ${id}'s class is missing from the packet's table`);
      this.#refs[i] = ref;
      this.#skip[i] = 0;
      const off = r.readSignedExpGolomb(offK) + offBias;
      if (off < 0) throw new BadPacketError('negative baseline offset');
      const { layout, history } = ref;
      const row = i * STRIDE;
      if (off === 0) {
        for (let s = 0; s < layout.count; s++) {
          const int = layout.ints[s];
          if (int) this.#ints[row + s] = int.readInt(r);
          else this.#values[row + s] = layout.codecs[s]!.read(r);
        }
        continue;
      }
      const base = history.find(tick - off);
      if (base < 0) {
        this.#skip[i] = 1;
        target.resync(id);
      }
      const mask = r.readBool() ? params.mask : r.readBits(layout.count);
      for (let s = 0; s < layout.count; s++) {
        const int = layout.ints[s];
        const changed = (mask & (1 << s)) !== 0;
        if (int) {
          const from = base < 0 ? 0 : history.ints[base + s]!;
          if (!changed) {
            this.#ints[row + s] = from;
            continue;
          }
          const v = int.apply(from, r.readSignedExpGolomb(params.k[s]!) + params.bias[s]!);
          if (!Number.isSafeInteger(v)) throw new BadPacketError('state value out of range');
          this.#ints[row + s] = v;
        } else {
          const codec = layout.codecs[s]!;
          const from = base < 0 ? undefined : history.refs![base + s];
          if (!changed) this.#values[row + s] = from;
          else this.#values[row + s] = isToggle(codec) ? !from : codec.read(r);
        }
      }
    }
    if (r.remainingBits >= 8) throw new BadPacketError('trailing bytes after a state packet');
    for (let i = 0; i < count; i++) {
      if (this.#skip[i]) continue;
      const ref = this.#refs[i]!;
      const { history, layout } = ref;
      const newest = tick > history.newest;
      const at = history.reserve(tick);
      if (at < 0) continue;
      const row = i * STRIDE;
      for (let s = 0; s < layout.count; s++) {
        if (layout.ints[s]) history.ints[at + s] = this.#ints[row + s]!;
        else history.refs![at + s] = this.#values[row + s];
      }
      target.commit(ref, at, tick, newest);
    }
    this.#refs.length = 0;
    return { seq, tick };
  }

  #ensure(count: number): void {
    if (this.#skip.length >= count) return;
    const capacity = Math.max(64, count);
    this.#skip = new Uint8Array(capacity);
    this.#ints = new Float64Array(capacity * STRIDE);
    this.#values = new Array(capacity * STRIDE);
  }
}
