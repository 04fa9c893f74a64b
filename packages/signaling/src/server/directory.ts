import type { SignalPayload, SignalPeerId } from '../contract.js';
import type { LobbyInfo } from '../protocol.js';
import type { ResumeClaims, TokenSigner } from './tokens.js';

/**
 * Where lobbies live: in this process ({@link LocalDirectory}) or in Redis, shared by several
 * server nodes ({@link RedisDirectory}). The server owns sockets; the directory owns membership,
 * hosts, seals and leases, and reports every change as a {@link DirectoryEvent}.
 *
 * Membership is leased: a node renews the leases of its connected peers; a peer whose socket
 * dropped keeps its place until its lease runs out (its resume window), and a dead node's peers
 * simply expire.
 */
export interface LobbyDirectory {
  /** Enters a lobby (creating it when asked); rejects with a SignalingError refusal. */
  join(request: JoinRequest): Promise<LobbyView>;
  /** Re-enters with a verified token; rebuilds the lobby from the claims if it is gone. */
  resume(claims: ResumeClaims): Promise<LobbyView>;
  /** Removes a peer for good (handing the host role on if needed). */
  leave(room: string, peer: SignalPeerId): Promise<void>;
  /** Seals a lobby; rejects with `E_NOT_HOST` unless `peer` is its host. */
  seal(room: string, peer: SignalPeerId): Promise<void>;
  /** The current state of a lobby this node holds peers in (synchronous, possibly a mirror). */
  view(room: string): LobbyView | undefined;
  /** Sends a payload towards a member connected to another node. */
  forward(room: string, from: SignalPeerId, to: SignalPeerId, payload: SignalPayload): void;
  /** Renews the leases of `live` peers (by room) and expires overdue ones in those rooms. */
  maintain(live: ReadonlyMap<string, readonly SignalPeerId[]>): Promise<void>;
  /** Tells the directory one local peer of `room` is gone from this node. */
  release(room: string): void;
  /** Public lobbies, for `list`. */
  list(): Promise<LobbyInfo[]>;
  /** Whether the backing store is reachable (for /healthz). */
  healthy(): boolean;
  /** Stops timers and connections; the lobbies themselves stay (other nodes may carry on). */
  close(): Promise<void>;
}

/** A validated request to enter a lobby. */
export interface JoinRequest {
  peer: SignalPeerId;
  /** Exactly one of room and code. */
  room?: string;
  code?: string;
  create: boolean;
  password?: string;
  maxPeers: number;
  public: boolean;
}

/** A lobby's state as one node sees it. */
export interface LobbyView {
  readonly room: string;
  readonly code: string;
  readonly public: boolean;
  readonly maxPeers: number;
  /** Password digest ('' for none). */
  readonly pw: string;
  host: SignalPeerId;
  sealed: boolean;
  /** Rebuilding after a restart: peers presenting tokens are still being let back in. */
  restoring: boolean;
  /** Members, oldest first. */
  readonly members: Set<SignalPeerId>;
}

/** A change the server must pass on to its local sockets. */
export type DirectoryEvent =
  | { kind: 'joined'; room: string; peer: SignalPeerId }
  | { kind: 'left'; room: string; peer: SignalPeerId }
  | { kind: 'host'; room: string; host: SignalPeerId }
  | { kind: 'sealed'; room: string }
  | { kind: 'sync'; room: string; peers: SignalPeerId[]; host: SignalPeerId }
  | { kind: 'resumed'; room: string; peer: SignalPeerId; node: string }
  | { kind: 'signal'; room: string; from: SignalPeerId; to: SignalPeerId; payload: SignalPayload };

/** What every directory is built from. */
export interface DirectoryContext {
  /** This node's id (tells a node's own `resumed` events from others'). */
  readonly node: string;
  readonly signer: TokenSigner;
  /** How long a peer keeps its place without renewal. */
  readonly leaseMs: number;
  /** How long a rebuilt lobby waits for its other peers to come back. */
  readonly restoreMs: number;
  /** Receives every event of the rooms this node holds peers in. */
  readonly onEvent: (event: DirectoryEvent) => void;
}
