import type { PeerId } from '@meshplay/core';
import type { ConnectionState, GatheringState, SignalingState } from './driver.js';

/**
 * WebRTC's own events, on `WebRtcTransport.webrtcEvents` (core's `Transport.events` is typed to
 * exactly core's events, and mitt emitters do not widen).
 */
export type WebRtcEvents = {
  /** The signaling room named a new host (re-emitted as is; the session runs its own election). */
  'host-changed': { host: PeerId };
  /** A peer connection changed state (Godot's `get_connection_state`). */
  'connection-state': { peer: PeerId; state: ConnectionState };
  /** ICE gathering progressed (Godot's `get_gathering_state`). */
  'gathering-state': { peer: PeerId; state: GatheringState };
  /** The offer/answer exchange moved on (Godot's `get_signaling_state`). */
  'signaling-state': { peer: PeerId; state: SignalingState };
  /**
   * One connection attempt to `peer` failed before its link opened. `retrying`: another attempt
   * follows (this side offers) or was asked for (this side answers); when false, the failure is
   * also reported as an `error` event. For diagnostics: the transport handles it either way.
   */
  'attempt-failed': { peer: PeerId; attempt: number; error: Error; retrying: boolean };
};
