import { BadPacketError } from '@meshplay/core';

/** Datagrams that arrived on an open channel before every channel was open, up to this many bytes. */
const MAX_EARLY_BYTES = 1024 * 1024;

/** One session datagram and the channel it came on. */
export interface EarlyDatagram {
  readonly channel: number;
  readonly data: Uint8Array;
}

/**
 * Session datagrams that arrived before the link opened: its open channels may carry data before
 * the last one opens, and it is held until `peer-connected`.
 */
export class EarlyData {
  #held: EarlyDatagram[] = [];
  #bytes = 0;

  /** Holds one datagram; throws `BadPacketError` when the peer sent too much before the link opened. */
  hold(channel: number, data: Uint8Array): void {
    this.#bytes += data.length;
    if (this.#bytes > MAX_EARLY_BYTES) throw new BadPacketError('too much data before the link opened');
    this.#held.push({ channel, data });
  }

  /** Hands over everything held, in arrival order, and starts empty. */
  take(): EarlyDatagram[] {
    const held = this.#held;
    this.#held = [];
    this.#bytes = 0;
    return held;
  }

  /** Forgets everything held (the link closed). */
  clear(): void {
    this.#held = [];
  }
}
