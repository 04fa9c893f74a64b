import { BadPacketError } from '../errors.js';

/**
 * Reads a datagram with bounds checks: every overrun or malformed varint throws a
 * {@link BadPacketError}, never a RangeError or a silent `undefined`.
 */
export class ByteReader {
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
    readonly end = bytes.length,
  ) {
    this.offset = offset;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.offset;
  }

  u8(): number {
    if (this.offset >= this.end) throw new BadPacketError('truncated message: expected one more byte');
    return this.bytes[this.offset++]!;
  }

  /** An unsigned LEB128 varint of at most 32 bits. */
  varint(): number {
    const first = this.u8();
    if (first < 0x80) return first;
    let result = first & 0x7f;
    // A running multiplier, not `2 ** shift` (which V8 leaves to a pow() call) or `<<` (32-bit signed).
    let scale = 0x80;
    for (let i = 1; i < 5; i++, scale *= 0x80) {
      const byte = this.u8();
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (result > 0xffffffff) throw new BadPacketError('varint exceeds 32 bits');
        return result;
      }
    }
    throw new BadPacketError('varint longer than 5 bytes');
  }

  /** `length` bytes as a view into the datagram. */
  bytesView(length: number): Uint8Array {
    if (length > this.remaining) {
      throw new BadPacketError(`truncated message: ${length} bytes announced, ${this.remaining} left`);
    }
    const view = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return view;
  }

  /** A varint length followed by that many bytes. */
  lengthPrefixed(): Uint8Array {
    return this.bytesView(this.varint());
  }
}
