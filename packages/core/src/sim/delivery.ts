import type { PacketSink } from './direction.js';
import { type ChannelState, type LinkDirection, Packet } from './direction.js';
import { lostAttempts, MAX_RELIABLE_ATTEMPTS, QUEUE_DROP_MS, transitDelay } from './link.js';
import type { Partitions } from './partitions.js';
import type { VirtualClock } from './virtual-clock.js';

/** Network-wide datagram counters (handy for benchmarks and sanity checks). */
export interface SimTotals {
  /** Datagrams handed to `send` on a link. */
  sent: number;
  /** Datagrams handed to a receiver (duplicates included). */
  delivered: number;
  /** Datagrams dropped: loss, partitions, full queues, stale ordering, closed links. */
  dropped: number;
  /** Extra copies made by `duplicate`. */
  duplicated: number;
  /** Lost attempts that a retransmitting channel sent again. */
  retransmitted: number;
}

/**
 * The channel semantics: how a datagram is sent (bandwidth queue, loss as retransmission delay or
 * as a drop, duplication, jitter) and how it is accepted on arrival (partition hold, in-sequence
 * delivery with head-of-line blocking, stale-drop on ordered channels that never retransmit).
 */
export class Delivery implements PacketSink {
  readonly totals: SimTotals = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, retransmitted: 0 };
  readonly #held = new Set<LinkDirection>();

  constructor(
    private readonly clock: VirtualClock,
    private readonly partitions: Partitions,
  ) {}

  /** Takes one datagram (already copied) from `dir.from` to `dir.to` on `channel`. */
  send(dir: LinkDirection, channel: number, data: Uint8Array): void {
    const bytes = data.byteLength;
    dir.stats.sent(channel, bytes);
    this.totals.sent++;
    // A crashed end swallows everything; neither side can tell.
    if (dir.blackhole) return;
    if (dir.link.closed) {
      this.#drop(dir, channel);
      return;
    }
    const ch = dir.channels[channel]!;
    const now = this.clock.now();
    const packet = new Packet(dir, channel, data, ch.nextSeq++, now);
    let depart = now;
    const bandwidth = dir.config.bandwidth;
    if (bandwidth !== Number.POSITIVE_INFINITY) {
      dir.drainQueue(now);
      const start = Math.max(dir.busyUntil, now);
      // Stale real-time data is worth less than the bandwidth it would take; reliable data waits.
      if (!ch.reliable && start - now > QUEUE_DROP_MS) {
        this.#abandon(packet, ch, now);
        return;
      }
      depart = start + (bytes * 1000) / bandwidth;
      dir.busyUntil = depart;
      dir.enqueue(depart, bytes, channel);
    }
    if (this.#cut(dir)) {
      if (ch.retransmits) this.#hold(packet);
      else this.#drop(dir, channel);
      return;
    }
    this.#launch(packet, ch, depart);
  }

  /** Accepts a datagram whose time came (the clock already skipped closed and crashed links). */
  arrive(packet: Packet): void {
    const dir = packet.dir;
    const ch = dir.channels[packet.channel]!;
    if (this.#cut(dir)) {
      if (ch.retransmits || packet.skip) this.#hold(packet);
      else this.#drop(dir, packet.channel);
      return;
    }
    if (ch.sequenced) {
      this.#inSequence(packet, ch);
    } else if (!ch.ordered) {
      this.#deliver(packet);
    } else if (packet.seq < ch.newest) {
      // Late on an ordered channel that never retransmits: the receiver throws it away.
      dir.reverse.stats.drop(packet.channel);
      this.totals.dropped++;
    } else {
      ch.newest = packet.seq;
      this.#deliver(packet);
    }
  }

  /** After partitions changed: sends again what waited on links that are no longer cut. */
  resume(): void {
    const now = this.clock.now();
    for (const dir of this.#held) {
      if (dir.link.closed || dir.blackhole) {
        this.discard(dir);
        continue;
      }
      if (this.#cut(dir)) continue;
      this.#held.delete(dir);
      const held = dir.held;
      dir.held = [];
      // First-sent first, so retransmissions leave in the order the datagrams were sent.
      held.sort((x, y) => x.channel - y.channel || x.seq - y.seq);
      for (const packet of held) {
        const ch = dir.channels[packet.channel]!;
        if (packet.skip) this.clock.schedule(packet, now + dir.config.latency);
        else if (!ch.reliable && now - packet.sentAt > ch.lifetime) this.#abandon(packet, ch, now);
        else this.#launch(packet, ch, now);
      }
    }
  }

  /** Drops (and counts) whatever `dir` still holds, e.g. when its link closes. */
  discard(dir: LinkDirection): void {
    this.#held.delete(dir);
    for (const packet of dir.held) if (!packet.skip) this.#drop(dir, packet.channel);
    dir.held = [];
  }

  #launch(packet: Packet, ch: ChannelState, depart: number): void {
    const dir = packet.dir;
    const config = dir.config;
    let extra = 0;
    if (config.loss > 0) {
      const limit = Math.min(ch.maxAttempts, MAX_RELIABLE_ATTEMPTS);
      let lost = lostAttempts(config, dir.rng, limit);
      if (lost < 0) {
        if (!ch.reliable) {
          // The sender gives up when the last attempt's timer runs out.
          this.#abandon(packet, ch, depart + limit * dir.rto);
          return;
        }
        lost = MAX_RELIABLE_ATTEMPTS - 1;
      }
      this.totals.retransmitted += lost;
      extra = lost * dir.rto;
    }
    if (depart + extra - packet.sentAt > ch.lifetime) {
      this.#abandon(packet, ch, packet.sentAt + ch.lifetime);
      return;
    }
    const arrival = depart + extra + transitDelay(config, dir.rng);
    this.clock.schedule(packet, arrival);
    if (ch.retransmits && arrival > dir.lastArrival) dir.lastArrival = arrival;
    if (!ch.retransmits && config.duplicate > 0 && dir.rng.next() < config.duplicate) {
      const copy = new Packet(dir, packet.channel, packet.data.slice(), packet.seq, packet.sentAt);
      this.clock.schedule(copy, depart + extra + transitDelay(config, dir.rng));
      this.totals.duplicated++;
    }
  }

  /** The sender gives `packet` up at `at`; a sequenced receiver hears of it one latency later. */
  #abandon(packet: Packet, ch: ChannelState, at: number): void {
    this.#drop(packet.dir, packet.channel);
    if (!ch.sequenced) return;
    packet.skip = true;
    this.clock.schedule(packet, at + packet.dir.config.latency);
  }

  #inSequence(packet: Packet, ch: ChannelState): void {
    if (packet.seq !== ch.recvNext) {
      // Head-of-line blocking: wait for the gap to fill (or to be skipped).
      if (packet.seq > ch.recvNext) (ch.waiting ??= new Map()).set(packet.seq, packet);
      return;
    }
    ch.recvNext++;
    if (!packet.skip) this.#deliver(packet);
    const waiting = ch.waiting;
    if (waiting === undefined || waiting.size === 0) return;
    for (;;) {
      const next = waiting.get(ch.recvNext);
      if (next === undefined || next.cancelled) return;
      waiting.delete(ch.recvNext);
      ch.recvNext++;
      if (!next.skip) this.#deliver(next);
    }
  }

  #deliver(packet: Packet): void {
    const dir = packet.dir;
    dir.reverse.stats.received(packet.channel, packet.data.byteLength);
    this.totals.delivered++;
    dir.to.receive(dir.from.id, packet.channel, packet.data);
  }

  #hold(packet: Packet): void {
    packet.dir.held.push(packet);
    this.#held.add(packet.dir);
  }

  #drop(dir: LinkDirection, channel: number): void {
    dir.stats.drop(channel);
    this.totals.dropped++;
  }

  #cut(dir: LinkDirection): boolean {
    const partitions = this.partitions;
    if (partitions.size === 0) return false;
    if (dir.partitionEpoch !== partitions.epoch) {
      dir.partitioned = partitions.separates(dir.from.id, dir.to.id);
      dir.partitionEpoch = partitions.epoch;
    }
    return dir.partitioned;
  }
}
