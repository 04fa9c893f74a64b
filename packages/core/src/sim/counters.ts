import type { ChannelStats, PeerStats } from '../transport/transport.js';

/** Mutable per-channel counters behind {@link ChannelStats}. */
export class ChannelCounters {
  bytesSent = 0;
  bytesReceived = 0;
  messagesSent = 0;
  messagesReceived = 0;
  dropped = 0;
  queuedBytes = 0;

  snapshot(heldBytes: number): ChannelStats {
    return {
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      dropped: this.dropped,
      queuedBytes: this.queuedBytes + heldBytes,
    };
  }
}

/**
 * One endpoint's counters about one peer. Sent counters count every datagram handed to `send`
 * (even if later lost); `dropped` counts the datagrams of this side that the model lost or the
 * transport discarded (loss, partition, full queue, closed link) plus the stale ones this side
 * refused on receipt.
 */
export class PeerCounters {
  readonly channels: ChannelCounters[];
  bytesSent = 0;
  bytesReceived = 0;
  messagesSent = 0;
  messagesReceived = 0;
  dropped = 0;

  constructor(channelCount: number) {
    this.channels = Array.from({ length: channelCount }, () => new ChannelCounters());
  }

  /** Counts one datagram sent on `channel`. */
  sent(channel: number, bytes: number): void {
    this.bytesSent += bytes;
    this.messagesSent++;
    const c = this.channels[channel];
    if (c) {
      c.bytesSent += bytes;
      c.messagesSent++;
    }
  }

  /** Counts one datagram delivered on `channel`. */
  received(channel: number, bytes: number): void {
    this.bytesReceived += bytes;
    this.messagesReceived++;
    const c = this.channels[channel];
    if (c) {
      c.bytesReceived += bytes;
      c.messagesReceived++;
    }
  }

  /** Counts one datagram dropped on `channel`. */
  drop(channel: number): void {
    this.dropped++;
    const c = this.channels[channel];
    if (c) c.dropped++;
  }

  /** A frozen copy for {@link PeerStats}. */
  snapshot(rttMs: number, queuedBytes: number, heldByChannel: readonly number[]): PeerStats {
    return {
      rttMs,
      bytesSent: this.bytesSent,
      bytesReceived: this.bytesReceived,
      messagesSent: this.messagesSent,
      messagesReceived: this.messagesReceived,
      dropped: this.dropped,
      queuedBytes,
      channels: this.channels.map((c, i) => c.snapshot(heldByChannel[i] ?? 0)),
    };
  }
}
