import type { Session } from '@meshplay/core';

/** One reading of a peer's network, over the interval since the previous one. */
export interface NetSample {
  /** Mean heartbeat round trip to the directly linked peers, ms (undefined before the first). */
  rttMs: number | undefined;
  /** Kilobytes per second this peer sent / received over the interval. */
  sentKBps: number;
  receivedKBps: number;
  /** Messages the transport dropped on purpose so far (stale unreliable data, full queues). */
  dropped: number;
  /** Loss of unreliable probes to the host over the last seconds, 0–1 (undefined on the host). */
  loss: number | undefined;
}

/** How long a probe may take before it counts as lost. */
const PROBE_DEADLINE_MS = 1000;
/** Probes kept for the loss estimate. */
const PROBE_WINDOW = 50;

/**
 * Samples a session's transport counters (bytes both ways, drops), the heartbeat round trips, and
 * the loss of unreliable probes echoed by the host.
 */
export class NetStats {
  #lastAt: number;
  #lastSent = 0;
  #lastReceived = 0;
  /** Total bytes of every link ever seen (links that closed keep their share). */
  #closedSent = 0;
  #closedReceived = 0;
  readonly #perPeer = new Map<string, { sent: number; received: number; dropped: number }>();
  #closedDropped = 0;
  readonly #probes = new Map<number, number>();
  #settled: boolean[] = [];
  #nextSeq = 0;

  constructor(private readonly session: Session) {
    this.#lastAt = performance.now();
  }

  /** Total bytes sent and received and messages dropped since the session started. */
  totals(): { sent: number; received: number; dropped: number } {
    const live = new Set(this.session.transport.peers());
    for (const [peer, counts] of this.#perPeer) {
      if (live.has(peer)) continue;
      this.#closedSent += counts.sent;
      this.#closedReceived += counts.received;
      this.#closedDropped += counts.dropped;
      this.#perPeer.delete(peer);
    }
    let sent = this.#closedSent;
    let received = this.#closedReceived;
    let dropped = this.#closedDropped;
    for (const peer of live) {
      const stats = this.session.transport.stats(peer);
      if (!stats) continue;
      this.#perPeer.set(peer, {
        sent: stats.bytesSent,
        received: stats.bytesReceived,
        dropped: stats.dropped,
      });
      sent += stats.bytesSent;
      received += stats.bytesReceived;
      dropped += stats.dropped;
    }
    return { sent, received, dropped };
  }

  /** Mean round trip to the linked peers, ms. */
  rtt(): number | undefined {
    const rtts = this.session.transport
      .peers()
      .map((peer) => this.session.rtt(peer))
      .filter((rtt): rtt is number => rtt !== undefined);
    return rtts.length === 0 ? undefined : rtts.reduce((a, b) => a + b, 0) / rtts.length;
  }

  /** Reads the counters; rates cover the time since the previous call. */
  sample(): NetSample {
    const now = performance.now();
    const { sent, received, dropped } = this.totals();
    const seconds = Math.max(0.001, (now - this.#lastAt) / 1000);
    const sample: NetSample = {
      rttMs: this.rtt(),
      sentKBps: (sent - this.#lastSent) / 1024 / seconds,
      receivedKBps: (received - this.#lastReceived) / 1024 / seconds,
      dropped,
      loss: this.loss(now),
    };
    this.#lastAt = now;
    this.#lastSent = sent;
    this.#lastReceived = received;
    return sample;
  }

  /** Sends the next loss probe (non-host peers; `send` makes the unreliable call). */
  probe(send: (seq: number) => void): void {
    const seq = this.#nextSeq++;
    this.#probes.set(seq, performance.now());
    send(seq);
  }

  /** The host echoed probe `seq`. */
  echoed(seq: number): void {
    if (this.#probes.delete(seq)) this.#record(true);
  }

  /** Fraction of the recent probes that went unanswered. */
  loss(now = performance.now()): number | undefined {
    for (const [seq, at] of this.#probes) {
      if (now - at < PROBE_DEADLINE_MS) break;
      this.#probes.delete(seq);
      this.#record(false);
    }
    if (this.#settled.length === 0) return undefined;
    return this.#settled.filter((ok) => !ok).length / this.#settled.length;
  }

  #record(ok: boolean): void {
    this.#settled.push(ok);
    if (this.#settled.length > PROBE_WINDOW) this.#settled = this.#settled.slice(-PROBE_WINDOW);
  }
}
