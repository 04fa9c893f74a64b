import type { ChannelStats, PeerStats } from '@meshplay/core';
import type { LinkChannel } from './link-channel.js';

/** A link's counters: each channel's, with the stack's queue read now, and their sums. */
export function peerStats(channels: readonly LinkChannel[], rttMs: number | undefined): PeerStats {
  const perChannel: ChannelStats[] = channels.map((channel) => ({
    ...channel.stats,
    queuedBytes: channel.queuedBytes(),
  }));
  const total = {
    bytesSent: 0,
    bytesReceived: 0,
    messagesSent: 0,
    messagesReceived: 0,
    dropped: 0,
    queuedBytes: 0,
  };
  for (const c of perChannel) {
    total.bytesSent += c.bytesSent;
    total.bytesReceived += c.bytesReceived;
    total.messagesSent += c.messagesSent;
    total.messagesReceived += c.messagesReceived;
    total.dropped += c.dropped;
    total.queuedBytes += c.queuedBytes;
  }
  return { rttMs, ...total, channels: perChannel };
}
