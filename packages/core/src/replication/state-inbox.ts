import { BadPacketError } from '../errors.js';
import type { BitReader, BitWriter } from './bits.js';
import { ReceiveWindow, SEQ_BITS, unwrapSeq } from './seq.js';
import { type DecodeTarget, StateDecoder, type StateHeader } from './state-decoder.js';
import type { StateStream } from './state-stream.js';

/** Most resync requests one ack carries (the rest wait for the next ack). */
const MAX_RESYNCS = 64;

/**
 * The receiving end of one sender's state stream: decodes datagrams, remembers which arrived,
 * and writes the acknowledgement that rides back to the sender (with any resync requests).
 */
export class StateInbox {
  readonly window = new ReceiveWindow();
  readonly #decoder: StateDecoder;
  readonly #resyncs = new Set<number>();

  constructor(decoder = new StateDecoder()) {
    this.#decoder = decoder;
  }

  /** Whether an ack is due (something arrived or a resync is wanted since the last one). */
  get ackDue(): boolean {
    return this.window.dirty || this.#resyncs.size > 0;
  }

  /**
   * Decodes one datagram into `target`. Returns its header, or undefined for a duplicate or a
   * datagram too old to acknowledge (nothing is applied then). Throws `BadPacketError`.
   */
  receive(body: Uint8Array, target: DecodeTarget): StateHeader | undefined {
    const { seq } = this.#decoder.header(body);
    if (this.window.latest >= 0) {
      const full = unwrapSeq(seq, this.window.latest);
      const back = this.window.latest - full;
      if (back === 0 || back > 32 || (back > 0 && this.window.mask & (1 << (back - 1)))) return undefined;
    }
    const header = this.#decoder.decode(body, {
      lookup: (id) => target.lookup(id),
      layoutOf: (type) => target.layoutOf(type),
      commit: (ref, at, tick, newest) => target.commit(ref, at, tick, newest),
      resync: (id) => {
        this.#resyncs.add(id);
        target.resync(id);
      },
    });
    this.window.receive(header.seq);
    return header;
  }

  /** Writes the ack: newest sequence number, the mask of the 32 before it, resync requests. */
  writeAck(w: BitWriter): void {
    const { window } = this;
    w.writeBool(window.latest >= 0);
    if (window.latest >= 0) {
      w.writeBits(window.latest & 0xffff, SEQ_BITS);
      w.writeBits(window.mask >>> 0, 32);
    }
    const ids = [...this.#resyncs].slice(0, MAX_RESYNCS);
    w.writeExpGolomb(ids.length, 0);
    for (const id of ids) {
      w.writeVarint(id);
      this.#resyncs.delete(id);
    }
    window.dirty = false;
  }
}

/**
 * Reads an ack written by {@link StateInbox.writeAck} and applies it to `stream`; returns the
 * objects the receiver wants whole again.
 */
export function readAck(r: BitReader, stream: StateStream | undefined, now: number): number[] {
  if (r.readBool()) {
    const latest = r.readBits(SEQ_BITS);
    const mask = r.readBits(32);
    stream?.acknowledge(latest, mask, now);
  }
  const count = r.readExpGolomb(0);
  if (count > MAX_RESYNCS) throw new BadPacketError('too many resync requests');
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(r.readVarint());
  return ids;
}
