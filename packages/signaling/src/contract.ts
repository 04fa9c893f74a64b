/**
 * The peer-discovery contract. A WebRTC transport uses a {@link SignalingAdapter} to find the
 * other peers of a room and to swap SDP and ICE with them; it never knows which adapter runs.
 * This file is dependency-free and browser-safe.
 */

/** A peer's id as the signaling layer knows it (a nanoid string; server adapters assign it). */
export type SignalPeerId = string;

/** An opaque, JSON-serialisable signaling payload (SDP, ICE candidates, ...). */
export type SignalPayload = unknown;

/** Events a joined room emits. */
export type SignalingEvents = {
  /** Another peer entered the room. */
  'peer-joined': { peer: SignalPeerId };
  /** A peer left the room (or its signaling connection timed out). */
  'peer-left': { peer: SignalPeerId };
  /** A payload from `from` (stamped by the server where there is one: never spoofable). */
  signal: { from: SignalPeerId; payload: SignalPayload };
  /** The room has a new host. */
  'host-changed': { host: SignalPeerId };
  /** The host sealed the room: nobody else may join. */
  sealed: Record<string, never>;
  /** The adapter lost its connection and is trying again (links already made are unaffected). */
  reconnecting: { attempt: number };
  /** The adapter is connected again (after `reconnecting`), with the same id. */
  reconnected: Record<string, never>;
  /** This peer is out of the room for good, with a code and reason. */
  closed: { code: string; reason: string };
  /** A recoverable problem (a refused message, a malformed frame). */
  error: { error: Error };
};

/** Minimal typed emitter shape (mitt-compatible) so this file stays dependency-free. */
export interface SignalingEmitter {
  on<K extends keyof SignalingEvents>(type: K, handler: (event: SignalingEvents[K]) => void): void;
  off<K extends keyof SignalingEvents>(type: K, handler?: (event: SignalingEvents[K]) => void): void;
}

/** Options for joining a room; adapters ignore what they do not support. */
export interface JoinOptions {
  /** Password of a private lobby, or the MQTT room key. */
  password?: string;
  /** Create the room if it does not exist (the creator becomes host). Default true. */
  create?: boolean;
  /** Most peers the room admits (set by its creator). */
  maxPeers?: number;
  /** List the room publicly (set by its creator). Default true. */
  public?: boolean;
  /** Opaque credential for the server's auth hook. */
  token?: string;
}

/** A room this peer has joined. */
export interface SignalingRoom {
  /** The room name as joined (or resolved from a join code). */
  readonly room: string;
  /** A short human join code for the room, where the adapter has them (the WebSocket server does). */
  readonly code?: string;
  /** This peer's id in the room. */
  readonly selfId: SignalPeerId;
  /** The current host's id. */
  readonly hostId: SignalPeerId;
  /** Whether the host has sealed the room. */
  readonly sealed: boolean;
  /** Typed events. */
  readonly events: SignalingEmitter;
  /** The other peers in the room now. */
  peers(): readonly SignalPeerId[];
  /** Sends a payload to one peer of the room. */
  send(to: SignalPeerId, payload: SignalPayload): void;
  /** Host only: seal the room (no more joins). */
  seal(): Promise<void>;
  /** Leaves the room and releases the connection. */
  leave(): Promise<void>;
}

/** Something that can put this peer into a room. */
export interface SignalingAdapter {
  join(room: string, options?: JoinOptions): Promise<SignalingRoom>;
}

/** A signaling failure with a stable code (`E_ROOM_FULL`, `E_SEALED`, `E_BAD_PASSWORD`, ...). */
export class SignalingError extends Error {
  override name = 'SignalingError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
