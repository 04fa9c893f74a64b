import { BadPacketError } from '../errors.js';
import { MAX_PREFIX, POW2, TWO_32, unzigzag } from './bit-codes.js';

const SCRATCH_VIEW = new DataView(new ArrayBuffer(8));
const DECODER = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads what a {@link BitWriter} wrote. Every read checks the end of input and throws a
 * `BadPacketError` past it, so a truncated or hostile packet can never read garbage.
 */
export class BitReader {
  private pos = 0;
  /** Up to 31 buffered bits, the oldest highest. */
  private acc = 0;
  private accBits = 0;

  constructor(private readonly bytes: Uint8Array) {}

  /** Bits not yet read (including the padding of the last byte). */
  get remainingBits(): number {
    return (this.bytes.length - this.pos) * 8 + this.accBits;
  }

  /** Reads `count` bits (0 ≤ count ≤ 32) as a non-negative integer. */
  readBits(count: number): number {
    if (count > 24) {
      const high = this.readSmall(16);
      const low = count - 16;
      return high * POW2[low]! + this.readSmall(low);
    }
    return this.readSmall(count);
  }

  /** Buffers bytes until at least 24 bits are held (or the input ends). */
  private refill(): void {
    let acc = this.acc;
    let bits = this.accBits;
    const bytes = this.bytes;
    let pos = this.pos;
    while (bits <= 23 && pos < bytes.length) {
      acc = (acc << 8) | bytes[pos++]!;
      bits += 8;
    }
    this.acc = acc;
    this.accBits = bits;
    this.pos = pos;
  }

  private readSmall(count: number): number {
    if (count === 0) return 0;
    if (this.accBits < count) {
      this.refill();
      if (this.accBits < count) throw new BadPacketError('packet ended early');
    }
    const bits = this.accBits - count;
    const value = (this.acc >>> bits) & ((1 << count) - 1);
    this.acc &= (1 << bits) - 1;
    this.accBits = bits;
    return value;
  }

  /** Reads one bit. */
  readBool(): boolean {
    return this.readSmall(1) === 1;
  }

  /** Reads an order-`k` exp-Golomb code. */
  readExpGolomb(k: number): number {
    if (this.accBits < 24) this.refill();
    const bits = this.accBits;
    if (bits > 0 && this.acc !== 0) {
      // Fast path: the whole code is buffered.
      const zeros = Math.clz32(this.acc) - (32 - bits);
      const total = 2 * zeros + k + 1;
      if (total <= bits) {
        const rest = bits - total;
        const value = (this.acc >>> rest) & ((1 << total) - 1);
        this.acc &= (1 << rest) - 1;
        this.accBits = rest;
        return value - POW2[k]!;
      }
    }
    let zeros = 0;
    while (this.readSmall(1) === 0) {
      if (++zeros + k > MAX_PREFIX) throw new BadPacketError('exp-Golomb code too long');
    }
    const rest = zeros + k;
    const tail = rest <= 32 ? this.readBits(rest) : this.readBits(rest - 32) * TWO_32 + this.readBits(32);
    return POW2[rest]! + tail - POW2[k]!;
  }

  /** Reads a zigzagged order-`k` exp-Golomb code. */
  readSignedExpGolomb(k: number): number {
    return unzigzag(this.readExpGolomb(k));
  }

  /** Reads a LEB128 varint (at most 53 bits). */
  readVarint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const byte = this.readSmall(8);
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
    throw new BadPacketError('varint too long');
  }

  /** Reads a float32. */
  readFloat32(): number {
    SCRATCH_VIEW.setUint32(0, this.readBits(32));
    return SCRATCH_VIEW.getFloat32(0);
  }

  /** Reads a float64. */
  readFloat64(): number {
    SCRATCH_VIEW.setUint32(0, this.readBits(32));
    SCRATCH_VIEW.setUint32(4, this.readBits(32));
    return SCRATCH_VIEW.getFloat64(0);
  }

  /** Skips to the next byte boundary. */
  align(): void {
    const partial = this.accBits % 8;
    this.acc &= (1 << (this.accBits - partial)) - 1;
    this.accBits -= partial;
  }

  /** Reads a length-prefixed byte string (a copy), refusing lengths above `max`. */
  readBytes(max = 65536): Uint8Array {
    const length = this.readVarint();
    if (length > max) throw new BadPacketError(`byte string of ${length} bytes exceeds ${max}`);
    if (this.accBits === 0) {
      if (length > this.bytes.length - this.pos) throw new BadPacketError('packet ended early');
      const out = this.bytes.slice(this.pos, this.pos + length);
      this.pos += length;
      return out;
    }
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readSmall(8);
    return out;
  }

  /** Reads a length-prefixed UTF-8 string. */
  readString(max = 65536): string {
    try {
      return DECODER.decode(this.readBytes(max));
    } catch (error) {
      if (error instanceof BadPacketError) throw error;
      throw new BadPacketError('string is not valid UTF-8', { cause: error });
    }
  }
}
