import { bitLength, POW2, TWO_32, zigzag } from './bit-codes.js';

/** A growable most-significant-bit-first writer over a `Uint8Array`. */
export class BitWriter {
  private bytes: Uint8Array;
  /** A view of `bytes`, for {@link roomView}. */
  private view: DataView;
  private pos = 0;
  /** Pending bits not yet flushed to `bytes` (fewer than 8 of them). */
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 1280) {
    this.bytes = new Uint8Array(initialBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Bits written so far. */
  get bitLength(): number {
    return this.pos * 8 + this.accBits;
  }

  /** Bytes the output takes (the last one padded with zero bits). */
  get byteLength(): number {
    return this.pos + (this.accBits > 0 ? 1 : 0);
  }

  /** Forgets everything written, keeping the buffer. */
  reset(): void {
    this.pos = 0;
    this.acc = 0;
    this.accBits = 0;
  }

  #markPos = 0;
  #markAcc = 0;
  #markBits = 0;

  /** Remembers the current position, for {@link rewind}. */
  mark(): void {
    this.#markPos = this.pos;
    this.#markAcc = this.acc;
    this.#markBits = this.accBits;
  }

  /** Drops everything written since the last {@link mark}. */
  rewind(): void {
    this.pos = this.#markPos;
    this.acc = this.#markAcc;
    this.accBits = this.#markBits;
  }

  /** Writes the low `count` bits of `value` (0 ≤ count ≤ 32; value a non-negative integer). */
  writeBits(value: number, count: number): void {
    if (count > 24) {
      const low = count - 16;
      this.writeSmall(Math.floor(value / POW2[low]!) & 0xffff, 16);
      this.writeSmall(value % POW2[low]!, low);
      return;
    }
    this.writeSmall(value & ((1 << count) - 1), count);
  }

  /** Writes `count` ≤ 24 bits; `value` must be below 2^count. */
  private writeSmall(value: number, count: number): void {
    let bits = this.accBits + count;
    const acc = (this.acc << count) | value;
    if (bits < 8) {
      this.acc = acc;
      this.accBits = bits;
      return;
    }
    if (this.pos + 4 > this.bytes.length) this.grow(4);
    const bytes = this.bytes;
    let pos = this.pos;
    while (bits >= 8) {
      bits -= 8;
      bytes[pos++] = acc >>> bits;
    }
    this.pos = pos;
    this.acc = acc & ((1 << bits) - 1);
    this.accBits = bits;
  }

  /** Whole bytes written (the pending bits, {@link pendingBits} of them, are not yet in them). */
  get wholeBytes(): number {
    return this.pos;
  }

  /** The bits not yet in a whole byte, as an integer. */
  get pending(): number {
    return this.acc;
  }

  /** How many bits are pending (fewer than 8). */
  get pendingBits(): number {
    return this.accBits;
  }

  /**
   * The buffer, with room for `extra` bytes past the whole ones, for a hot loop to write codes
   * into in place (no call a code) and then {@link seek} to where it got. Bytes it stores past
   * that position are not output: later writes overwrite them.
   */
  room(extra: number): Uint8Array {
    if (this.pos + extra > this.bytes.length) this.grow(extra);
    return this.bytes;
  }

  /**
   * As {@link room}, as a view: a hot loop stores a code's bytes with one big-endian 32-bit
   * store instead of one store a byte.
   */
  roomView(extra: number): DataView {
    if (this.pos + extra > this.bytes.length) this.grow(extra);
    return this.view;
  }

  /** Moves to a position reached by writing in place into {@link room}'s buffer. */
  seek(wholeBytes: number, pending: number, pendingBits: number): void {
    this.pos = wholeBytes;
    this.acc = pending;
    this.accBits = pendingBits;
  }

  /** Writes one bit. */
  writeBool(value: boolean): void {
    this.writeSmall(value ? 1 : 0, 1);
  }

  /** Writes a non-negative integer as an order-`k` exp-Golomb code (exact while value + 2^k < 2^53). */
  writeExpGolomb(value: number, k: number): void {
    const shifted = value + POW2[k]!;
    if (shifted < 0x1000000) {
      // The code is `shifted` written in 2·width − k − 1 bits: its leading zeros are the prefix.
      const total = 2 * (32 - Math.clz32(shifted)) - k - 1;
      if (total <= 24) {
        this.writeSmall(shifted, total);
        return;
      }
    }
    const width = bitLength(shifted);
    let zeros = width - 1 - k;
    while (zeros > 24) {
      this.writeSmall(0, 24);
      zeros -= 24;
    }
    this.writeSmall(0, zeros);
    if (width > 32) {
      this.writeBits(Math.floor(shifted / TWO_32), width - 32);
      this.writeBits(shifted % TWO_32, 32);
    } else this.writeBits(shifted, width);
  }

  /** Writes a signed integer (|value| < 2^52) as a zigzagged order-`k` exp-Golomb code. */
  writeSignedExpGolomb(value: number, k: number): void {
    this.writeExpGolomb(zigzag(value), k);
  }

  /** Writes a non-negative integer (< 2^53) as a LEB128 varint (7 bits a group, not byte-aligned). */
  writeVarint(value: number): void {
    while (value >= 0x80) {
      this.writeSmall((value % 0x80) | 0x80, 8);
      value = Math.floor(value / 0x80);
    }
    this.writeSmall(value, 8);
  }

  /** Writes a float32 (its IEEE-754 bits). */
  writeFloat32(value: number): void {
    SCRATCH_VIEW.setFloat32(0, value);
    this.writeBits(SCRATCH_VIEW.getUint32(0), 32);
  }

  /** Writes a float64 (its IEEE-754 bits). */
  writeFloat64(value: number): void {
    SCRATCH_VIEW.setFloat64(0, value);
    this.writeBits(SCRATCH_VIEW.getUint32(0), 32);
    this.writeBits(SCRATCH_VIEW.getUint32(4), 32);
  }

  /** Pads with zero bits to the next byte boundary. */
  align(): void {
    if (this.accBits > 0) this.writeSmall(0, 8 - this.accBits);
  }

  /**
   * Overwrites `count` (≤ 24) bits written earlier at bit position `at` (which must lie in whole
   * bytes already flushed), e.g. a count only known once what it counts is written.
   */
  patchBits(at: number, value: number, count: number): void {
    for (let i = 0; i < count; i++) {
      const bit = (value >>> (count - 1 - i)) & 1;
      const pos = at + i;
      const byte = pos >>> 3;
      const shift = 7 - (pos & 7);
      if (byte < this.pos) this.bytes[byte] = (this.bytes[byte]! & ~(1 << shift)) | (bit << shift);
      else {
        const fromEnd = this.accBits - 1 - (pos - this.pos * 8);
        this.acc = (this.acc & ~(1 << fromEnd)) | (bit << fromEnd);
      }
    }
  }

  /** Writes a length-prefixed byte string (the length as a varint, the bytes after it, unaligned). */
  writeBytes(data: Uint8Array): void {
    this.writeVarint(data.length);
    if (this.accBits === 0) {
      if (this.pos + data.length > this.bytes.length) this.grow(data.length);
      this.bytes.set(data, this.pos);
      this.pos += data.length;
      return;
    }
    for (let i = 0; i < data.length; i++) this.writeSmall(data[i]!, 8);
  }

  /** Writes a length-prefixed UTF-8 string. */
  writeString(value: string): void {
    this.writeBytes(ENCODER.encode(value));
  }

  /** Appends another writer's bits. */
  append(other: BitWriter): void {
    const whole = other.pos;
    if (this.accBits === 0) {
      if (this.pos + whole > this.bytes.length) this.grow(whole);
      this.bytes.set(other.bytes.subarray(0, whole), this.pos);
      this.pos += whole;
    } else {
      for (let i = 0; i < whole; i++) this.writeSmall(other.bytes[i]!, 8);
    }
    this.writeSmall(other.acc, other.accBits);
  }

  /** A copy of the output, padded to a whole byte. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.byteLength);
    out.set(this.bytes.subarray(0, this.pos));
    if (this.accBits > 0) out[this.pos] = (this.acc << (8 - this.accBits)) & 0xff;
    return out;
  }

  /** Copies the output, padded to a whole byte, into `target` at `at` (room permitting); returns its length. */
  copyTo(target: Uint8Array, at: number): number {
    target.set(this.bytes.subarray(0, this.pos), at);
    if (this.accBits > 0) target[at + this.pos] = (this.acc << (8 - this.accBits)) & 0xff;
    return this.byteLength;
  }

  private grow(extra: number): void {
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.pos + extra + 8));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }
}

const SCRATCH_VIEW = new DataView(new ArrayBuffer(8));
const ENCODER = new TextEncoder();
