/** Sequence numbers travel as their low 16 bits; each side rebuilds the full number. */
export const SEQ_BITS = 16;
const SEQ_SPAN = 1 << SEQ_BITS;
const SEQ_HALF = SEQ_SPAN / 2;

/** Acks cover the newest sequence number and the 32 before it. */
export const ACK_WINDOW = 32;

/** The full sequence number nearest to `reference` whose low 16 bits are `low`. */
export function unwrapSeq(low: number, reference: number): number {
  let diff = (low - (reference & (SEQ_SPAN - 1))) & (SEQ_SPAN - 1);
  if (diff >= SEQ_HALF) diff -= SEQ_SPAN;
  return reference + diff;
}

/**
 * The receiving end of one sender's packet stream: which sequence numbers arrived, as the newest
 * one plus a 32-bit mask of the ones before it (bit i: newest - 1 - i arrived).
 */
export class ReceiveWindow {
  /** Newest sequence number received (-1: none yet). */
  latest = -1;
  mask = 0;
  /** Something arrived since the last ack was written. */
  dirty = false;

  /**
   * Notes the arrival of a packet; returns its full sequence number, or -1 if it is a duplicate
   * or too old to be acknowledged.
   */
  receive(low: number): number {
    if (this.latest < 0) {
      this.latest = low;
      this.mask = 0;
      this.dirty = true;
      return low;
    }
    const seq = unwrapSeq(low, this.latest);
    if (seq > this.latest) {
      const shift = seq - this.latest;
      if (shift > ACK_WINDOW) this.mask = 0;
      else if (shift === ACK_WINDOW) this.mask = 0x80000000;
      else this.mask = ((this.mask << shift) | (1 << (shift - 1))) >>> 0;
      this.latest = seq;
      this.dirty = true;
      return seq;
    }
    const back = this.latest - seq;
    if (back === 0 || back > ACK_WINDOW) return -1;
    const bit = 1 << (back - 1);
    if (this.mask & bit) return -1;
    this.mask = (this.mask | bit) >>> 0;
    this.dirty = true;
    return seq;
  }
}
