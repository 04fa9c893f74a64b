import type { Emitter } from 'mitt';
import type { PeerId } from '../ids.js';
import type { ChannelConfig } from './channels.js';

/** Events every {@link Transport} emits. */
export type TransportEvents = {
  /** A link to `peer` is open: every channel can carry data. */
  'peer-connected': { peer: PeerId };
  /** The link to `peer` closed (by either side, by failure, or by `close()`). */
  'peer-disconnected': { peer: PeerId; reason: string };
  /** A datagram arrived from `peer` on `channel`. */
  message: { peer: PeerId; channel: number; data: Uint8Array };
  /** Something went wrong that did not close the transport (bad signaling input, a failed link, ...). */
  error: { peer?: PeerId; error: Error };
};

/** Counters a transport keeps per peer (and, where it can, per channel). */
export interface PeerStats {
  /** Round-trip time in milliseconds, when the transport measures one. */
  rttMs: number | undefined;
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  /** Messages dropped on purpose (stale unreliable data, full queues) or by the network model. */
  dropped: number;
  /** Bytes waiting to leave (send buffer depth). */
  queuedBytes: number;
  /** The same counters per channel index, where the transport keeps them. */
  channels?: readonly ChannelStats[];
}

/** Per-channel counters. */
export interface ChannelStats {
  bytesSent: number;
  bytesReceived: number;
  messagesSent: number;
  messagesReceived: number;
  dropped: number;
  queuedBytes: number;
}

/**
 * What a session needs from the network: the MultiplayerPeer of Godot. A transport opens links to
 * peers, carries opaque datagrams on numbered channels (0 reliable, 1 unreliable-ordered,
 * 2 unreliable, then user channels as listed in {@link Transport.channels}) and reports links
 * opening and closing. It knows nothing about sessions, hosts or RPCs.
 */
export interface Transport {
  /** This endpoint's id. */
  readonly localId: PeerId;
  /** The channel layout, index → config; the first three are the built-in kinds. */
  readonly channels: readonly ChannelConfig[];
  /** Typed events (mitt). */
  readonly events: Emitter<TransportEvents>;
  /** Peers with an open link now. */
  peers(): readonly PeerId[];
  /**
   * Sends one datagram. Never throws for a peer that just went away (the datagram is dropped and
   * counted); throws a `TransportError` for an unknown channel, a closed transport, or a datagram
   * above {@link maxMessageSize} (`E_MESSAGE_TOO_LARGE`). `data` is only lent for the call: the
   * caller reuses its buffer afterwards, so a transport that keeps the bytes (queues them, delays
   * them) copies them first, as `RTCDataChannel.send` and libdatachannel do.
   */
  send(peer: PeerId, channel: number, data: Uint8Array): void;
  /**
   * Largest datagram `send` takes for `peer` on a reliable channel. A transport whose wire has a
   * smaller limit fragments and reassembles below this one.
   */
  maxMessageSize(peer: PeerId): number;
  /**
   * Closes the link to one peer; `peer-disconnected` follows on both sides. The close is graceful:
   * what was already handed to `send` on reliable channels arrives before the other side hears of
   * the close (unreliable data in flight may be lost).
   */
  disconnect(peer: PeerId, reason?: string): void;
  /** Counters for one peer, or undefined if there is no link. */
  stats(peer: PeerId): PeerStats | undefined;
  /**
   * Closes every link (gracefully, as {@link disconnect} does) and releases every resource; no
   * event fires after it resolves.
   */
  close(): Promise<void>;
}
