import type { ChannelConfig } from '../transport/channels.js';
import { isReliable } from '../transport/channels.js';
import { PeerCounters } from './counters.js';
import type { Endpoint } from './endpoint.js';
import { type LinkConfig, retransmitTimeout } from './link.js';
import type { Rng } from './rng.js';
import type { ClockTask } from './task-heap.js';

/** Where packets go when their time comes (the network's delivery logic). */
export interface PacketSink {
  arrive(packet: Packet): void;
}

/** One datagram in flight; it is its own clock task, so sending allocates no closure. */
export class Packet implements ClockTask {
  at = 0;
  order = 0;
  /**
   * An abandoned datagram of a sequenced, partially reliable channel: it arrives only to tell the
   * receiver to stop waiting for it (SCTP's FORWARD-TSN), and is never handed to the application.
   */
  skip = false;
  constructor(
    readonly dir: LinkDirection,
    readonly channel: number,
    readonly data: Uint8Array,
    readonly seq: number,
    readonly sentAt: number,
  ) {}

  /**
   * A packet to or from a crashed endpoint, or on a closed link, is skipped without a trace, except
   * that a graceful close still delivers what was sent on retransmitting channels before it (as an
   * SCTP shutdown does): a peer's last words (a goodbye) arrive before its disconnect.
   */
  get cancelled(): boolean {
    const dir = this.dir;
    if (dir.blackhole) return true;
    if (!dir.link.closed) return false;
    return !(this.sentAt <= dir.closedAt && dir.channels[this.channel]!.retransmits);
  }

  fire(): void {
    this.dir.sink.arrive(this);
  }
}

/**
 * How one channel of one direction delivers, plus its sequencing state on both ends. Channels that
 * retransmit (reliable, or partially reliable with `maxRetransmits > 0` or `maxPacketLifeTime`) and
 * are ordered deliver in sequence with head-of-line blocking, as SCTP does; an ordered channel that
 * never retransmits drops whatever arrives older than the newest delivered.
 */
export class ChannelState {
  /** Retransmits until delivered. */
  readonly reliable: boolean;
  readonly ordered: boolean;
  /** Retransmits at all: waits out partitions instead of losing datagrams to them. */
  readonly retransmits: boolean;
  /** Ordered and retransmitting: delivered strictly in sequence, gaps wait. */
  readonly sequenced: boolean;
  /** Attempts allowed before giving up (Infinity for reliable and lifetime-bound channels). */
  readonly maxAttempts: number;
  /** Milliseconds after which a partially reliable datagram is abandoned. */
  readonly lifetime: number;
  /** Sender: sequence number of the next datagram. */
  nextSeq = 0;
  /** Receiver, sequenced: the sequence number due next. */
  recvNext = 0;
  /** Receiver, sequenced: datagrams that arrived ahead of a gap, by sequence number. */
  waiting: Map<number, Packet> | undefined;
  /** Receiver, ordered without retransmission: the newest sequence number delivered. */
  newest = -1;

  constructor(config: ChannelConfig) {
    this.reliable = isReliable(config);
    this.ordered = config.ordered;
    this.maxAttempts =
      config.maxRetransmits !== undefined ? config.maxRetransmits + 1 : Number.POSITIVE_INFINITY;
    this.lifetime = config.maxPacketLifeTime ?? Number.POSITIVE_INFINITY;
    this.retransmits = this.reliable || this.maxAttempts > 1 || this.lifetime !== Number.POSITIVE_INFINITY;
    this.sequenced = this.ordered && this.retransmits;
  }
}

/** A connection between two endpoints: two directions that open and close together. */
export class SimLink {
  closed = false;
  /** Why it closed (told to the side that learns late). */
  reason = '';
  /** a → b. */
  readonly ab: LinkDirection;
  /** b → a. */
  readonly ba: LinkDirection;

  constructor(
    readonly a: Endpoint,
    readonly b: Endpoint,
    make: (link: SimLink, from: Endpoint, to: Endpoint) => LinkDirection,
  ) {
    this.ab = make(this, a, b);
    this.ba = make(this, b, a);
    this.ab.reverse = this.ba;
    this.ba.reverse = this.ab;
  }
}

/**
 * One direction of a link, seen from the sender: its model, its random stream, its bandwidth
 * queue, reliable datagrams held by a partition, the per-channel sequencing state, and the
 * sender's counters about the receiver.
 */
export class LinkDirection {
  config: LinkConfig;
  rto: number;
  /** The reverse direction (set right after both are made). */
  reverse!: LinkDirection;
  /** True once `from` saw `peer-connected` for this link. */
  open = false;
  /** True when either end crashed: everything crossing is silently lost. */
  blackhole = false;
  /** Sender's counters about the receiver (the receiver's are on {@link reverse}). */
  readonly stats: PeerCounters;
  readonly channels: ChannelState[];
  /** When the sender finishes serialising what is queued (bandwidth cap). */
  busyUntil = 0;
  /** Reliable datagrams waiting for a partition to heal. */
  held: Packet[] = [];
  /** When the sender closed the link gracefully (what it sent until then still arrives). */
  closedAt = Number.NEGATIVE_INFINITY;
  /** Latest arrival time scheduled for a datagram of a retransmitting channel. */
  lastArrival = 0;
  /** Partition epoch the cached answer below belongs to. */
  partitionEpoch = -1;
  partitioned = false;
  // Bandwidth queue, kept only to report queued bytes per channel: departure times and sizes.
  #queueAt: number[] = [];
  #queueBytes: number[] = [];
  #queueChannel: number[] = [];
  #queueHead = 0;

  constructor(
    readonly link: SimLink,
    readonly from: Endpoint,
    readonly to: Endpoint,
    config: LinkConfig,
    readonly rng: Rng,
    readonly sink: PacketSink,
  ) {
    this.config = config;
    this.rto = retransmitTimeout(config);
    this.stats = new PeerCounters(from.channels.length);
    this.channels = from.channels.map((c) => new ChannelState(c));
  }

  /** Replaces the model (future datagrams only). */
  configure(config: LinkConfig): void {
    this.config = config;
    this.rto = retransmitTimeout(config);
  }

  /** Records a datagram that leaves the bandwidth queue at `departAt`. */
  enqueue(departAt: number, bytes: number, channel: number): void {
    this.#queueAt.push(departAt);
    this.#queueBytes.push(bytes);
    this.#queueChannel.push(channel);
    const c = this.stats.channels[channel];
    if (c) c.queuedBytes += bytes;
  }

  /** Forgets queue entries that left by `now`; returns the bytes still queued. */
  drainQueue(now: number): number {
    const at = this.#queueAt;
    let head = this.#queueHead;
    while (head < at.length && at[head]! <= now) {
      const c = this.stats.channels[this.#queueChannel[head]!];
      if (c) c.queuedBytes -= this.#queueBytes[head]!;
      head++;
    }
    if (head === at.length) {
      this.#queueAt = [];
      this.#queueBytes = [];
      this.#queueChannel = [];
      head = 0;
    } else if (head > 1024 && head * 2 > at.length) {
      this.#queueAt = at.slice(head);
      this.#queueBytes = this.#queueBytes.slice(head);
      this.#queueChannel = this.#queueChannel.slice(head);
      head = 0;
    }
    this.#queueHead = head;
    let total = 0;
    for (const c of this.stats.channels) total += c.queuedBytes;
    return total;
  }

  /** Bytes of held reliable datagrams, per channel. */
  heldBytesByChannel(): number[] {
    const out = new Array<number>(this.channels.length).fill(0);
    for (const p of this.held) if (!p.skip) out[p.channel] = (out[p.channel] ?? 0) + p.data.byteLength;
    return out;
  }
}
