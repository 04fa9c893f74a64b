import { BUILTIN_CHANNELS, type ChannelConfig, ConfigError } from '@meshplay/core';
import type { JoinOptions } from '@meshplay/signaling';
import type { IceServerConfig } from './driver.js';

/** Who links to whom: `star` (clients only to the host) or `mesh` (everyone to everyone). */
export type Topology = 'star' | 'mesh';

/** Options of {@link WebRtcTransport.join}. */
export interface WebRtcTransportOptions {
  /** `star`: clients link only to the signaling room's host; `mesh`: every pair links. */
  readonly topology: Topology;
  /** User channels, after the three built-ins (they get indices 3, 4, ...). */
  readonly channels?: readonly ChannelConfig[];
  /** STUN/TURN servers in the W3C shape. Default none (host candidates only). */
  readonly iceServers?: readonly IceServerConfig[];
  /** Passed to the signaling adapter's `join`. */
  readonly joinOptions?: JoinOptions;
  /** A connection attempt not open within this many ms is abandoned (`E_TIMEOUT`). Default 15000. */
  readonly connectTimeoutMs?: number;
  /**
   * Attempts per link before the failure is reported: a link that fails while being set up
   * (ICE or DTLS failure, timeout, closed by the peer) is retried with fresh connections, the
   * offerer driving. Default 3.
   */
  readonly connectAttempts?: number;
  /** Heartbeat period (ms). Default 500. */
  readonly heartbeatIntervalMs?: number;
  /**
   * A peer silent this long (ms) is reported gone (`peer-disconnected`, reason `timeout`) at the
   * next heartbeat, so within `heartbeatTimeoutMs + 2 * heartbeatIntervalMs`. Default 3000
   * (reported within 4 s; libdatachannel alone takes 13–28 s).
   */
  readonly heartbeatTimeoutMs?: number;
  /** Local address for host candidates (Node driver only, e.g. `127.0.0.1` in tests). */
  readonly bindAddress?: string;
  /**
   * SCTP send buffer per connection (Node driver only; process-wide in libdatachannel, applied to
   * connections made after it). Data of every channel waits in it in order, so it bounds how long
   * a flood on one channel delays the others; it also caps reliable throughput near
   * buffer / RTT. Default 256 KiB; `null` leaves libdatachannel's setting (1 MiB) alone.
   */
  readonly sctpSendBufferBytes?: number | null;
  /** Bytes of reliable data one peer may have waiting to leave before its link is dropped. Default 16 MiB. */
  readonly maxQueuedBytes?: number;
  /** Largest reliable datagram accepted after reassembly. Default 16 MiB. */
  readonly maxMessageBytes?: number;
  /** Reliable data kept in the WebRTC stack's own queue per channel; the rest waits here. Default 64 KiB. */
  readonly reliableBufferBytes?: number;
  /** An unreliable channel whose stack queue holds this much drops new datagrams (counted). Default 16 KiB. */
  readonly unreliableBufferBytes?: number;
}

/** {@link WebRtcTransportOptions} with every default filled in. */
export interface ResolvedOptions {
  readonly topology: Topology;
  readonly iceServers: readonly IceServerConfig[];
  readonly joinOptions: JoinOptions | undefined;
  readonly connectTimeoutMs: number;
  readonly connectAttempts: number;
  readonly heartbeatIntervalMs: number;
  readonly heartbeatTimeoutMs: number;
  readonly bindAddress: string | undefined;
  readonly sctpSendBufferBytes: number | undefined;
  readonly maxQueuedBytes: number;
  readonly maxMessageBytes: number;
  readonly reliableBufferBytes: number;
  readonly unreliableBufferBytes: number;
}

/** SCTP stream ids run 0..1023 in libdatachannel; the built-ins take 0..2. */
export const MAX_USER_CHANNELS = 1024 - BUILTIN_CHANNELS.length;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`${name} must be a positive number, got ${value}`);
  return value;
}

function count(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 100)
    throw new ConfigError(`${name} must be an integer in 1..100, got ${value}`);
  return value;
}

/** Fills defaults and refuses options that cannot work. */
export function resolveOptions(options: WebRtcTransportOptions): ResolvedOptions {
  if (options.topology !== 'star' && options.topology !== 'mesh') {
    throw new ConfigError(`topology must be 'star' or 'mesh', got ${JSON.stringify(options.topology)}`);
  }
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', options.heartbeatIntervalMs, 500);
  const heartbeatTimeoutMs = positive('heartbeatTimeoutMs', options.heartbeatTimeoutMs, 3000);
  if (heartbeatTimeoutMs < 2 * heartbeatIntervalMs) {
    throw new ConfigError(
      `heartbeatTimeoutMs (${heartbeatTimeoutMs}) must be at least twice heartbeatIntervalMs (${heartbeatIntervalMs})`,
    );
  }
  return {
    topology: options.topology,
    iceServers: options.iceServers ?? [],
    joinOptions: options.joinOptions,
    connectTimeoutMs: positive('connectTimeoutMs', options.connectTimeoutMs, 15_000),
    connectAttempts: count('connectAttempts', options.connectAttempts, 3),
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    bindAddress: options.bindAddress,
    sctpSendBufferBytes:
      options.sctpSendBufferBytes === null
        ? undefined
        : positive('sctpSendBufferBytes', options.sctpSendBufferBytes, 256 * 1024),
    maxQueuedBytes: positive('maxQueuedBytes', options.maxQueuedBytes, 16 * 1024 * 1024),
    maxMessageBytes: positive('maxMessageBytes', options.maxMessageBytes, 16 * 1024 * 1024),
    reliableBufferBytes: positive('reliableBufferBytes', options.reliableBufferBytes, 64 * 1024),
    unreliableBufferBytes: positive('unreliableBufferBytes', options.unreliableBufferBytes, 16 * 1024),
  };
}

function checkCount(name: string, value: number | undefined, max: number, at: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new ConfigError(`channel ${at}: ${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/**
 * The full channel layout: the three built-ins, then the user channels, each checked the way
 * Godot's `create_data_channel` would refuse it (`maxRetransmits` and `maxPacketLifeTime` are
 * exclusive).
 */
export function channelLayout(user: readonly ChannelConfig[] = []): readonly ChannelConfig[] {
  if (user.length > MAX_USER_CHANNELS) {
    throw new ConfigError(`at most ${MAX_USER_CHANNELS} user channels, got ${user.length}`);
  }
  const layout: ChannelConfig[] = [...BUILTIN_CHANNELS];
  user.forEach((config, i) => {
    const at = BUILTIN_CHANNELS.length + i;
    if (typeof config !== 'object' || config === null || typeof config.ordered !== 'boolean') {
      throw new ConfigError(`channel ${at}: 'ordered' (boolean) is required`);
    }
    if (config.maxRetransmits !== undefined && config.maxPacketLifeTime !== undefined) {
      throw new ConfigError(
        `channel ${at}: maxRetransmits and maxPacketLifeTime are mutually exclusive; set one (or neither, for a reliable channel)`,
      );
    }
    checkCount('maxRetransmits', config.maxRetransmits, 0xffff, at);
    checkCount('maxPacketLifeTime', config.maxPacketLifeTime, 0xffff, at);
    if (
      config.protocol !== undefined &&
      (typeof config.protocol !== 'string' || config.protocol.length > 1024)
    ) {
      throw new ConfigError(`channel ${at}: protocol must be a string of at most 1024 characters`);
    }
    layout.push({ ...config, label: config.label ?? `user-${at}` });
  });
  return layout;
}
