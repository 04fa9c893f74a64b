import type { PeerId } from '../ids.js';
import type { Received } from './history.js';
import type { RenderDelay, SnapshotBuffer } from './interpolation.js';
import type { NetworkObject, ObjectId } from './network-object.js';
import type { InputBuffer, InputQueue } from './prediction.js';
import type { ClassInfo } from './registry.js';
import type { RemoteRef } from './state-decoder.js';
import type { StateInbox } from './state-inbox.js';
import type { StateStream } from './state-stream.js';
import type { Tracked } from './tracked.js';

/** Who may see an object: a filter, plus peers granted explicitly. */
export type VisibilityFilter = (peer: PeerId) => boolean;

/** One spawned object on this peer, with everything the replication keeps about it. */
export interface Entry {
  readonly object: NetworkObject;
  readonly info: ClassInfo;
  readonly id: ObjectId;
  owner: PeerId;
  /** Present while this peer sends the object's state to someone. */
  tracked: Tracked | undefined;
  /** The linked peer whose state for the object this peer accepts (undefined: none). */
  source: PeerId | undefined;
  /** The source before the last change of owner (its trailing updates are ignored, not refused). */
  formerSource: PeerId | undefined;
  filter: VisibilityFilter | undefined;
  grants: Set<PeerId> | undefined;
  /** Interpolation of remote state (only when the class has interpolated fields). */
  snapshots: SnapshotBuffer | undefined;
  /** The rendered values of the interpolated fields, by name. */
  readonly smoothed: Record<string, number>;
  /** Owner of a predicted object: inputs not yet applied by the host. */
  inputs: InputBuffer<unknown> | undefined;
  /** Host of a predicted object: inputs waiting to be applied. */
  queue: InputQueue<unknown> | undefined;
  /** Owner: newest authoritative tick applied. */
  authTick: number;
  /** Host: the version, newest input and tick of the last change of the authoritative state sent. */
  authVid: number;
  authInput: number;
  authChanged: number;
  /** Star client: the spawn request is not yet accepted by the host. */
  pending: boolean;
  /** Despawned (kept briefly so that trailing packets still decode). */
  dead: boolean;
}

/** What this peer keeps about one directly linked peer. */
export interface PeerLink {
  readonly peer: PeerId;
  /** State this peer sends there (and what that peer has of each object). */
  readonly stream: StateStream;
  /** State that peer sends here. */
  readonly inbox: StateInbox;
  /** Objects whose state comes from that peer, by id (dead ones linger as tombstones). */
  readonly refs: Map<ObjectId, LinkRef>;
  /** How many of `refs` are tombstones (the expiry sweep runs only when some are). */
  tombstones: number;
  /** That peer's type table, by its indices. */
  types: (ClassInfo | 'mismatch' | undefined)[];
  /** Control messages from that peer waiting to be applied, in order (a claim the host has not confirmed yet, and what follows it). */
  readonly deferred: Uint8Array[];
  /** Control messages sent there / applied from there / that peer confirmed applying. */
  controlSent: number;
  controlReceived: number;
  controlAcked: number;
  /** `controlReceived` as last acknowledged to it. */
  controlReported: number;
  /** Send-table rows waiting for that peer to confirm a control message before state may flow. */
  readonly waiting: number[];
  readonly delay: RenderDelay;
  /** Newest state tick received from that peer. */
  newestTick: number;
  /** The type table and initial spawns went out (once the session can reach the peer). */
  greeted: boolean;
}

/** An object as one linked peer sends it to this one. */
export interface LinkRef extends RemoteRef {
  readonly entry: Entry;
  readonly history: Received;
  /** Tick after which a tombstone is forgotten (Infinity while live). */
  expires: number;
}
