/**
 * A growable byte buffer for encoding messages. One writer is reused for many messages: `reset()`
 * keeps the allocation, so the hot path allocates nothing.
 */
export class ByteWriter {
  #bytes: Uint8Array;
  #length = 0;

  constructor(initialCapacity = 256) {
    this.#bytes = new Uint8Array(initialCapacity);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#length;
  }

  /** Forgets the content, keeps the buffer. */
  reset(): void {
    this.#length = 0;
  }

  /** A view of the written bytes (valid until the next write or reset). */
  view(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }

  /** A copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.#bytes.slice(0, this.#length);
  }

  /** Ensures room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#bytes.length) return;
    let capacity = this.#bytes.length * 2;
    while (capacity < needed) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.#bytes.subarray(0, this.#length));
    this.#bytes = grown;
  }

  u8(value: number): void {
    this.reserve(1);
    this.#bytes[this.#length++] = value;
  }

  /** An unsigned LEB128 varint of up to 32 bits (1 byte below 128). */
  varint(value: number): void {
    this.reserve(5);
    let v = value >>> 0;
    while (v >= 0x80) {
      this.#bytes[this.#length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#bytes[this.#length++] = v;
  }

  bytes(data: Uint8Array): void {
    const count = data.length;
    this.reserve(count);
    const out = this.#bytes;
    const at = this.#length;
    // Most messages are a few bytes: a loop beats TypedArray.prototype.set's fixed cost there.
    if (count <= 16) for (let i = 0; i < count; i++) out[at + i] = data[i]!;
    else out.set(data, at);
    this.#length = at + count;
  }

  /** A varint length followed by the bytes. */
  lengthPrefixed(data: Uint8Array): void {
    this.varint(data.length);
    this.bytes(data);
  }

  /** Overwrites one byte already written (used to patch flags once they are known). */
  patch(offset: number, value: number): void {
    this.#bytes[offset] = value;
  }
}

/** Bytes a varint of `value` takes. */
export function varintSize(value: number): number {
  let v = value >>> 0;
  let size = 1;
  while (v >= 0x80) {
    v >>>= 7;
    size++;
  }
  return size;
}
