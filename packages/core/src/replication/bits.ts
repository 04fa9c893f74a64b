import { BadPacketError } from '../errors.js';

// State deltas are mostly small integers whose size varies per field and per packet, so the hot
// path writes bits, not bytes: a 10-bit delta costs 10 bits. Bits go most-significant first.

const TWO_32 = 4294967296;
/** 2^i for i in 0..53. */
const POW2 = Float64Array.from({ length: 54 }, (_, i) => 2 ** i);
/** Largest exp-Golomb prefix a reader accepts: values above 2^53 are not integers any more. */
const MAX_PREFIX = 53;

/** Maps a signed integer to an unsigned one (0, -1, 1, -2 … → 0, 1, 2, 3 …), exact up to 2^52. */
export function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

/** Inverse of {@link zigzag}. */
export function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

/** Number of bits needed to write `value` (a non-negative integer): 0 for 0, 1 for 1, 2 for 2–3 … */
export function bitLength(value: number): number {
  if (value < TWO_32) return 32 - Math.clz32(value);
  return 32 + bitLength(Math.floor(value / TWO_32));
}

/** Size in bits of `value` (a non-negative integer) as an order-`k` exp-Golomb code. */
export function expGolombBits(value: number, k: number): number {
  const shifted = value + POW2[k]!;
  const m = (shifted < TWO_32 ? 32 - Math.clz32(shifted) : bitLength(shifted)) - 1;
  return 2 * m - k + 1;
}

/**
 * Short codes (each at most 24 bits) gathered before they are written in one go with
 * {@link BitWriter.writeRun}: their total size is known before anything is written (no rewind
 * when they do not fit), and they cost no call each.
 */
export class CodeRun {
  codes = new Int32Array(64);
  lengths = new Int32Array(64);
  count = 0;
  /** Total length in bits. */
  bits = 0;

  /** Empties the run, making room for `n` codes. */
  reset(n: number): void {
    this.count = 0;
    this.bits = 0;
    if (n > this.codes.length) {
      this.codes = new Int32Array(n * 2);
      this.lengths = new Int32Array(n * 2);
    }
  }
}

/** A growable most-significant-bit-first writer over a `Uint8Array`. */
export class BitWriter {
  private bytes: Uint8Array;
  private pos = 0;
  /** Pending bits not yet flushed to `bytes` (fewer than 8 of them). */
  private acc = 0;
  private accBits = 0;

  constructor(initialBytes = 1280) {
    this.bytes = new Uint8Array(initialBytes);
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

  /** Writes the codes of `run`, in order. */
  writeRun(run: CodeRun): void {
    if (this.pos + (run.bits >>> 3) + 4 > this.bytes.length) this.grow((run.bits >>> 3) + 4);
    const { codes, lengths, count } = run;
    const bytes = this.bytes;
    let pos = this.pos;
    let acc = this.acc;
    let bits = this.accBits;
    for (let i = 0; i < count; i++) {
      // Under 8 pending bits and a code of at most 24 make at most 31: the three bytes that may
      // be whole are stored whether or not they are (how many are is data-dependent, and a
      // branch on it mispredicts); the ones that are not get overwritten later.
      acc = (acc << lengths[i]!) | codes[i]!;
      bits += lengths[i]!;
      bytes[pos] = acc >>> (bits - 8);
      bytes[pos + 1] = acc >>> (bits - 16);
      bytes[pos + 2] = acc >>> (bits - 24);
      pos += bits >>> 3;
      bits &= 7;
      acc &= (1 << bits) - 1;
    }
    this.pos = pos;
    this.acc = acc;
    this.accBits = bits;
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
  }
}

const SCRATCH_VIEW = new DataView(new ArrayBuffer(8));
const ENCODER = new TextEncoder();
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
