import type { MeshplayError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { NodeRegistry } from '../rpc/registry.js';
import type { Scheduler } from '../scheduler.js';
import type { Session } from './session.js';

/** What a plugin may do through its session. */
export interface PluginIO {
  /** Queues a message of one of the plugin's kinds to a directly linked peer (batched with the rest). */
  send(peer: PeerId, channel: number, kind: number, body: Uint8Array): void;
  /** A fresh node id from the session's id space (the host allocates them). */
  allocateNodeId(): number;
  /** The RPC node registry, so plugin-managed objects can be RPC targets. */
  readonly registry: NodeRegistry;
  /** Whether a direct transport link to `peer` is up (a mesh member may be announced before it). */
  isLinked(peer: PeerId): boolean;
  /** Refuses input from `offender`: local `error` event, a reason sent to it, a kick if the policy says so. */
  refuse(error: MeshplayError, offender: PeerId): void;
  /**
   * When the datagram being applied arrived (scheduler ms). With `inbox: 'poll'` messages are
   * applied later than they arrive; time-sensitive plugins (clock sync) read this instead of now().
   */
  receivedAt(): number;
  /** The session's clock and timers (SimNetwork's virtual ones in tests). */
  readonly scheduler: Scheduler;
}

/**
 * An extension of the session that owns some of the plugin message kinds (11–15) — the
 * replication layer is one. The session verifies senders and hands it membership changes.
 */
export interface SessionPlugin {
  /** The message kinds it owns. */
  readonly kinds: readonly number[];
  attach(session: Session, io: PluginIO): void;
  /** A message of one of its kinds, from a verified member. */
  receive(from: PeerId, kind: number, body: Uint8Array, channel: number): void;
  peerJoined?(peer: PeerId): void;
  peerLeft?(peer: PeerId): void;
  hostChanged?(host: PeerId, previous: PeerId | undefined): void;
  /** Called at every flush, before batches leave: the place to write per-peer state. */
  beforeFlush?(): void;
  /** The session ended. */
  detach?(): void;
}
