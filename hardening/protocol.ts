// What the test process and its peer processes (peer.ts) say to each other over IPC.
import type { PeerStats } from '@meshplay/core';

/** How a peer process is set up (passed as JSON in MESHPLAY_PEER). */
export interface PeerConfig {
  /** `'ipc'`: the parent relays signaling (peers in namespaces); else a WebSocket signaling server. */
  readonly signaling: 'ipc' | { readonly url: string };
  readonly room: string;
  readonly topology: 'host' | 'mesh';
  /** Address ICE binds to (the peer's address inside its namespace). */
  readonly bindAddress?: string;
  readonly heartbeatIntervalMs?: number;
  readonly heartbeatTimeoutMs?: number;
}

/** Parent to peer. */
export type PeerCommand =
  | {
      readonly cmd: 'stream';
      /** Reliable RPCs to send to the host, numbered from `start` (default 0). */
      readonly count: number;
      readonly start?: number;
      readonly perTick: number;
      readonly tickMs: number;
      /** Unreliable RPCs per tick alongside, each carrying `noiseBytes` of padding. */
      readonly noisePerTick?: number;
      readonly noiseBytes?: number;
    }
  | { readonly cmd: 'tick'; readonly everyMs: number }
  /** Latency percentiles cover the reliable RPCs received from number `since` on (default all). */
  | { readonly cmd: 'report'; readonly since?: number }
  | { readonly cmd: 'close' };

/** What a peer reports about what it received. */
export interface ProbeReport {
  readonly evt: 'report';
  readonly id: string;
  readonly host: string | undefined;
  readonly isHost: boolean;
  readonly peers: string[];
  readonly connected: boolean;
  /** Reliable stream: RPCs received, next expected number, duplicates and skipped numbers seen. */
  readonly received: number;
  readonly next: number;
  readonly duplicates: number;
  readonly gaps: number;
  /** One-way delivery latency of the reliable stream, ms (sender and receiver share a clock). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly unreliable: number;
  readonly ticks: number;
  readonly lastTick: number;
  /** Last tick number received from each sender. */
  readonly tickFrom: Record<string, number>;
  /** Ticks this peer broadcast. */
  readonly sentTicks: number;
  /** The transport's counters per linked peer (queued bytes, drops, RTT), for diagnosing a stall. */
  readonly links: Record<string, PeerStats | undefined>;
}

/** Peer to parent. */
export type PeerReport =
  | { readonly evt: 'joined'; readonly self: string; readonly isHost: boolean }
  | { readonly evt: 'connected'; readonly self: string; readonly host: string }
  | { readonly evt: 'peer-joined'; readonly peer: string }
  | { readonly evt: 'peer-left'; readonly peer: string; readonly code: string; readonly at: number }
  | { readonly evt: 'host-changed'; readonly host: string; readonly previous: string | undefined }
  | { readonly evt: 'disconnected'; readonly code: string; readonly reason: string }
  | { readonly evt: 'streamed'; readonly count: number; readonly noise: number; readonly ms: number }
  | ProbeReport;
