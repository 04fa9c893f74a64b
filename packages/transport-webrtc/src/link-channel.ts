import {
  BadPacketError,
  type ChannelConfig,
  type ChannelStats,
  isReliable,
  TransportError,
} from '@meshplay/core';
import type { DriverChannel } from './driver.js';
import { fragment, Reassembler } from './fragmenter.js';
import { dataFrame, FRAME_HEADER_BYTES, FrameKind, type FrameWriter } from './framing.js';

/** What a {@link LinkChannel} needs from the link that owns it. */
export interface ChannelOwner {
  readonly writer: FrameWriter;
  /** Reserves queue space across the link; false (and the link fails) when its send budget is spent. */
  reserve(bytes: number): boolean;
  release(bytes: number): void;
  /** A whole session datagram arrived. */
  deliver(channel: number, data: Uint8Array): void;
  /** A transport control frame (ping, pong, bye) arrived. */
  control(channel: number, frame: Uint8Array): void;
}

/** Per-channel send limits. */
export interface ChannelLimits {
  readonly reliableBufferBytes: number;
  readonly unreliableBufferBytes: number;
  readonly maxMessageBytes: number;
}

/**
 * One data channel of a link: framing, backpressure, fragmentation and counters.
 *
 * Reliable channels keep at most `reliableBufferBytes` in the WebRTC stack's queue (a single
 * FIFO in libdatachannel, shared with the unreliable channels) and hold the rest in a bounded
 * queue here, refilled on `bufferedamountlow`: so a reliable backlog delays unreliable datagrams
 * by at most that much. Unreliable channels never queue here: when the stack already holds
 * `unreliableBufferBytes` for the channel, a new datagram would only arrive stale, so it is
 * dropped and counted.
 */
export class LinkChannel {
  readonly reliable: boolean;
  readonly stats: ChannelStats = {
    bytesSent: 0,
    bytesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    dropped: 0,
    queuedBytes: 0,
  };
  /** Largest frame the connection carries; set when the link opens. */
  maxFrame = 64 * 1024;
  /** Data and fragment frames handed to the stack (a closing peer's `Bye` says how many to expect). */
  framesSent = 0;
  /** Data and fragment frames received. */
  framesReceived = 0;
  readonly #queue: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  #nextMessageId = 0;
  readonly #reassembler: Reassembler | undefined;
  readonly #highWater: number;
  /** The stack's queue holds nothing of this channel (its last send reported so): skip asking. */
  #stackEmpty = true;

  constructor(
    readonly index: number,
    readonly config: ChannelConfig,
    readonly dc: DriverChannel,
    readonly owner: ChannelOwner,
    readonly limits: ChannelLimits,
  ) {
    this.reliable = isReliable(config);
    this.#highWater = this.reliable ? limits.reliableBufferBytes : limits.unreliableBufferBytes;
    if (this.reliable) {
      this.#reassembler = new Reassembler(limits.maxMessageBytes);
      dc.setBufferedAmountLowThreshold(this.#highWater >>> 1);
    }
  }

  /** Bytes waiting to leave: queued here plus held by the stack. */
  queuedBytes(): number {
    let stack = 0;
    try {
      stack = this.dc.bufferedAmount();
    } catch {
      // A closing channel has nothing left to send.
    }
    return this.#queued + stack;
  }

  /** Sends one session datagram. Returns false when it was dropped (counted). */
  send(data: Uint8Array): boolean {
    if (data.length + FRAME_HEADER_BYTES > this.maxFrame) {
      if (!this.reliable) {
        throw new TransportError(
          'E_MESSAGE_TOO_LARGE',
          `${data.length}-byte datagram exceeds the ${this.maxFrame - FRAME_HEADER_BYTES}-byte limit of unreliable channel ${this.index}`,
        );
      }
      if (data.length > this.limits.maxMessageBytes) {
        throw new TransportError(
          'E_MESSAGE_TOO_LARGE',
          `${data.length}-byte datagram exceeds maxMessageBytes (${this.limits.maxMessageBytes})`,
        );
      }
      for (const frame of fragment(data, this.#nextMessageId++, this.maxFrame)) {
        if (!this.#sendReliable(frame, true)) return this.#dropped();
      }
      return this.#sent(data.length);
    }
    if (this.reliable) {
      return this.#sendReliable(data, false) ? this.#sent(data.length) : this.#dropped();
    }
    if (this.#stackBuffered() >= this.#highWater) return this.#dropped();
    return this.#write(this.owner.writer.data(data)) ? this.#sent(data.length) : this.#dropped();
  }

  /** Sends a transport control frame now, past any queue and drop policy (heartbeats, bye). */
  sendControl(frame: Uint8Array): void {
    this.#write(frame);
  }

  /** Moves queued reliable frames into the stack while it has room (on `bufferedamountlow`, and each heartbeat). */
  drain(): void {
    while (this.#head < this.#queue.length && this.#stackBuffered() < this.#highWater) {
      const frame = this.#queue[this.#head] as Uint8Array;
      this.#queue[this.#head++] = EMPTY;
      this.#queued -= frame.length;
      this.owner.release(frame.length);
      this.#write(frame);
    }
    if (this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
  }

  /** Hands every queued frame to the stack now, past the high-water mark (a graceful close). */
  flushAll(): void {
    for (let i = this.#head; i < this.#queue.length; i++) this.#write(this.#queue[i] as Uint8Array);
    this.discard();
  }

  /** Gives back the queue's budget when the link closes. */
  discard(): void {
    this.owner.release(this.#queued);
    this.#queue.length = 0;
    this.#head = 0;
    this.#queued = 0;
  }

  /** Handles one frame from the peer. Throws `BadPacketError` for frames that break the framing. */
  receive(frame: Uint8Array): void {
    const kind = frame[0];
    if (kind === FrameKind.Data || kind === FrameKind.Fragment) this.framesReceived++;
    if (kind === FrameKind.Data) {
      this.stats.messagesReceived++;
      this.stats.bytesReceived += frame.length - FRAME_HEADER_BYTES;
      this.owner.deliver(this.index, frame.subarray(FRAME_HEADER_BYTES));
    } else if (kind === FrameKind.Fragment) {
      if (!this.#reassembler) throw new BadPacketError(`fragment on unreliable channel ${this.index}`);
      const whole = this.#reassembler.accept(frame);
      if (whole) {
        this.stats.messagesReceived++;
        this.stats.bytesReceived += whole.length;
        this.owner.deliver(this.index, whole);
      }
    } else if (kind === undefined) {
      throw new BadPacketError(`empty datagram on channel ${this.index}`);
    } else {
      this.owner.control(this.index, frame);
    }
  }

  /** Writes one reliable datagram (or ready-made fragment frame when `isFrame`), or queues it behind a full stack. */
  #sendReliable(payloadOrFrame: Uint8Array, isFrame: boolean): boolean {
    if (this.#head === this.#queue.length && this.#stackBuffered() < this.#highWater) {
      return this.#write(isFrame ? payloadOrFrame : this.owner.writer.data(payloadOrFrame));
    }
    const frame = isFrame ? payloadOrFrame : dataFrame(payloadOrFrame);
    if (!this.owner.reserve(frame.length)) return false;
    this.#queue.push(frame);
    this.#queued += frame.length;
    return true;
  }

  /** Bytes of this channel in the stack's queue; not asked while the last send left it empty. */
  #stackBuffered(): number {
    if (this.#stackEmpty) return 0;
    try {
      const bytes = this.dc.bufferedAmount();
      this.#stackEmpty = bytes === 0;
      return bytes;
    } catch {
      return 0;
    }
  }

  #write(frame: Uint8Array): boolean {
    try {
      this.#stackEmpty = !this.dc.send(frame);
      if ((frame[0] as number) <= FrameKind.Fragment) this.framesSent++;
      return true;
    } catch {
      // The channel is closing under us; the link learns it from the close callbacks.
      return false;
    }
  }

  #sent(bytes: number): true {
    this.stats.messagesSent++;
    this.stats.bytesSent += bytes;
    return true;
  }

  #dropped(): false {
    this.stats.dropped++;
    return false;
  }
}

const EMPTY = new Uint8Array(0);
