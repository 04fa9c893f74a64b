import type { PeerId } from '../ids.js';
import type { ReplicationError } from './errors.js';
import type { NetworkObject } from './network-object.js';

/** How a {@link Replication} runs. */
export interface ReplicationOptions {
  /** Ticks per second of the session's {@link TickLoop}. Default 30. */
  rate?: number;
  /** Start the loop as soon as the session is connected. Default true. */
  autoStart?: boolean;
  /** Most live objects each non-host peer may own (classes may set their own). Default 256. */
  spawnLimit?: number;
  /** Largest state datagram body, bytes (the session adds 3 bytes of framing). Default 1197. */
  maxDatagramBytes?: number;
  /** Most state bytes per peer per tick; the rest waits, ranked by accumulated priority. Default 4788. */
  budgetBytesPerTick?: number;
  /** Who may see an object (after per-object filters and grants). Default: everyone. */
  visibility?: (object: NetworkObject, peer: PeerId) => boolean;
  /** Longest extrapolation past the newest snapshot, in ticks. Default 2. */
  maxExtrapolateTicks?: number;
  /** Send intervals of render delay beyond the measured arrival age. Default 3. */
  renderMargin?: number;
  /**
   * What happens to a departed peer's objects: despawned, or taken over by the host. Default
   * `'despawn'`. (In a mesh, the objects of a host that leaves always go to the newly elected one.)
   */
  ownerLeft?: 'despawn' | 'host';
}

/** Events of a {@link Replication}. */
export type ReplicationEvents = {
  /** An object appeared on this peer (spawned here, or received). */
  spawned: { object: NetworkObject; remote: boolean };
  /** An object went away on this peer. */
  despawned: { object: NetworkObject; remote: boolean };
  /** State from `from` up to its tick `tick` was applied (once per peer and tick). */
  synchronized: { from: PeerId; tick: number };
  /** An object changed hands. */
  'owner-changed': { object: NetworkObject; owner: PeerId; previous: PeerId };
  /** Something was refused: a spawn past the limit, a write without authority, a bad type. */
  refused: { error: ReplicationError; object?: NetworkObject; peer?: PeerId };
};

/** Counts of one {@link Replication.render} call. */
export interface RenderStats {
  interpolated: number;
  extrapolated: number;
  held: number;
  empty: number;
}

/** Spawn options. */
export interface SpawnOptions {
  /** The owner (default: this peer; only the host may spawn for someone else, in star topology). */
  owner?: PeerId;
}

/** The values game code may pass to `spawn`: any of the object's own fields. */
export type InitOf<T> = Partial<{ [K in keyof T as T[K] extends Function ? never : K]: T[K] }>;
