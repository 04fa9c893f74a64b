import { BadPacketError } from '@meshplay/core';
import { FrameKind } from './framing.js';

/**
 * Fragment frame layout (little-endian), used on reliable channels for datagrams larger than the
 * connection's max message size:
 *
 * ```
 * 0      kind = 1 (Fragment)
 * 1..4   u32 message id (per channel, wraps)
 * 5..8   u32 total length of the reassembled datagram
 * 9..10  u16 fragment index
 * 11..12 u16 fragment count
 * 13..   piece: bytes [index * chunk, min(total, (index + 1) * chunk)), chunk = ceil(total / count)
 * ```
 *
 * Every fragment is self-describing so reassembly also works on reliable *unordered* channels.
 */
export const FRAGMENT_HEADER_BYTES = 13;

/** Most fragments one datagram may be cut into (the u16 count). */
const MAX_FRAGMENTS = 0xffff;

/**
 * Cuts `data` into fragment frames no longer than `maxFrame` bytes each. Each frame is a fresh
 * array (they may wait in a send queue).
 */
export function fragment(data: Uint8Array, messageId: number, maxFrame: number): Uint8Array[] {
  const room = maxFrame - FRAGMENT_HEADER_BYTES;
  if (room < 1) throw new RangeError(`max frame ${maxFrame} leaves no room for a fragment`);
  const count = Math.ceil(data.length / room);
  if (count > MAX_FRAGMENTS)
    throw new RangeError(`a ${data.length}-byte datagram needs more than ${MAX_FRAGMENTS} fragments`);
  const chunk = Math.ceil(data.length / count);
  const frames: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const start = index * chunk;
    const piece = data.subarray(start, Math.min(data.length, start + chunk));
    const frame = new Uint8Array(FRAGMENT_HEADER_BYTES + piece.length);
    const view = new DataView(frame.buffer);
    frame[0] = FrameKind.Fragment;
    view.setUint32(1, messageId >>> 0, true);
    view.setUint32(5, data.length, true);
    view.setUint16(9, index, true);
    view.setUint16(11, count, true);
    frame.set(piece, FRAGMENT_HEADER_BYTES);
    frames.push(frame);
  }
  return frames;
}

interface Partial {
  readonly data: Uint8Array;
  readonly count: number;
  readonly chunk: number;
  readonly seen: Uint8Array;
  missing: number;
}

/**
 * Reassembles fragment frames of one channel. Bounded: a datagram may not exceed
 * `maxMessageBytes`, and all datagrams being reassembled at once share that same byte budget, so
 * a peer cannot make this hold more than one maximal datagram. Malformed or inconsistent
 * fragments throw a `BadPacketError` (the caller drops the link: a reliable stream that lost its
 * framing cannot be trusted).
 */
export class Reassembler {
  readonly #partials = new Map<number, Partial>();
  #bytes = 0;

  constructor(readonly maxMessageBytes: number) {}

  /** Bytes held by unfinished datagrams. */
  get pendingBytes(): number {
    return this.#bytes;
  }

  /** Takes one fragment frame; returns the whole datagram when this was its last missing piece. */
  accept(frame: Uint8Array): Uint8Array | undefined {
    if (frame.length <= FRAGMENT_HEADER_BYTES) throw new BadPacketError('fragment frame too short');
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const id = view.getUint32(1, true);
    const total = view.getUint32(5, true);
    const index = view.getUint16(9, true);
    const count = view.getUint16(11, true);
    let partial = this.#partials.get(id);
    if (!partial) {
      if (count < 2 || total < count) throw new BadPacketError(`fragment count ${count} for ${total} bytes`);
      if (total > this.maxMessageBytes) {
        throw new BadPacketError(
          `fragmented datagram of ${total} bytes exceeds the ${this.maxMessageBytes}-byte limit`,
        );
      }
      if (this.#bytes + total > this.maxMessageBytes) {
        throw new BadPacketError('too many fragmented datagrams in flight at once');
      }
      partial = {
        data: new Uint8Array(total),
        count,
        chunk: Math.ceil(total / count),
        seen: new Uint8Array(count),
        missing: count,
      };
      this.#partials.set(id, partial);
      this.#bytes += total;
    } else if (partial.count !== count || partial.data.length !== total) {
      throw new BadPacketError(`fragment ${index} of datagram ${id} disagrees with its earlier fragments`);
    }
    if (index >= count) throw new BadPacketError(`fragment index ${index} of ${count}`);
    const start = index * partial.chunk;
    const expected = Math.min(total, start + partial.chunk) - start;
    const piece = frame.subarray(FRAGMENT_HEADER_BYTES);
    if (piece.length !== expected)
      throw new BadPacketError(`fragment ${index} has ${piece.length} bytes, expected ${expected}`);
    if (partial.seen[index]) throw new BadPacketError(`fragment ${index} of datagram ${id} arrived twice`);
    partial.seen[index] = 1;
    partial.data.set(piece, start);
    partial.missing--;
    if (partial.missing > 0) return undefined;
    this.#partials.delete(id);
    this.#bytes -= total;
    return partial.data;
  }
}
