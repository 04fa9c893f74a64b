import type { ErrorCodeName, MeshplayError } from '../errors.js';
import type { PeerId } from '../ids.js';

/** Why a peer left or this session was disconnected: `'left'` for a normal leave, else an error code. */
export type LeaveCode = 'left' | ErrorCodeName;

/** Events a {@link Session} emits (typed, through mitt). */
export type SessionEvents = {
  /** This session is in: it knows its index, the host and the other members. */
  connected: { self: PeerId; host: PeerId };
  /** This session is out for good (refused, kicked, host gone in star topology, closed, timed out). */
  disconnected: { code: LeaveCode; reason: string };
  /** Another member joined. */
  'peer-joined': { peer: PeerId };
  /** A member left. */
  'peer-left': { peer: PeerId; code: LeaveCode; reason: string };
  /** A new host took over (mesh host migration), `previous` gone. */
  'host-changed': { host: PeerId; previous: PeerId | undefined };
  /** Something was refused or failed without ending the session; `peer` is the offender, if any. */
  error: { error: MeshplayError; peer?: PeerId };
  /** Another peer refused something this peer sent (`error` is for what this peer refused). */
  refused: { by: PeerId; code: ErrorCodeName; reason: string };
  /** Application bytes sent with `sendBytes`. */
  bytes: { from: PeerId; channel: number; data: Uint8Array };
};
