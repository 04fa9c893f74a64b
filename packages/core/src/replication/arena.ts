import type { BitWriter } from './bits.js';

/**
 * Where an encoder puts the datagrams of a tick: views into one buffer, reused from one tick to
 * the next, so that making a datagram allocates no bytes. A full buffer is replaced by a larger
 * one (views into the old one stay valid).
 */
export class Arena {
  #bytes = new Uint8Array(16 * 1024);
  #used = 0;

  /** Starts over: the views handed out before may be overwritten from now on. */
  reset(): void {
    this.#used = 0;
  }

  /** The writer's output, padded to a whole byte, as a view into the arena. */
  take(w: BitWriter): Uint8Array {
    const length = w.byteLength;
    if (this.#used + length > this.#bytes.length) {
      this.#bytes = new Uint8Array(Math.max(this.#bytes.length * 2, length));
      this.#used = 0;
    }
    const at = this.#used;
    w.copyTo(this.#bytes, at);
    this.#used += length;
    return this.#bytes.subarray(at, at + length);
  }
}
