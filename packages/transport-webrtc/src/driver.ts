/**
 * The one internal interface between the transport and a WebRTC stack. Two implementations exist,
 * chosen by the package's `#driver` import conditions: `node-driver.ts` (node-datachannel's native
 * API) and `browser-driver.ts` (the native `RTCPeerConnection`). Nothing outside those two files
 * knows which one runs.
 *
 * Both drivers promise the same things: states use the W3C spellings, candidates are handed out
 * without the `a=` prefix, every native callback is guarded (a throw never escapes into the stack),
 * and after `close()` no handler fires again.
 */

/** A peer connection's overall state (W3C `RTCPeerConnectionState`). */
export type ConnectionState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

/** ICE candidate gathering progress (W3C `RTCIceGatheringState`). */
export type GatheringState = 'new' | 'gathering' | 'complete';

/** Where the offer/answer exchange stands (W3C `RTCSignalingState`). */
export type SignalingState =
  | 'stable'
  | 'have-local-offer'
  | 'have-remote-offer'
  | 'have-local-pranswer'
  | 'have-remote-pranswer'
  | 'closed';

/** An ICE server in the W3C shape (`RTCIceServer`); the Node driver converts it for libdatachannel. */
export interface IceServerConfig {
  /** One or more `stun:`, `stuns:`, `turn:` or `turns:` URLs. */
  readonly urls: string | readonly string[];
  /** TURN user name. */
  readonly username?: string;
  /** TURN password. */
  readonly credential?: string;
}

/** What a driver needs to create one peer connection. */
export interface DriverPeerConfig {
  readonly iceServers: readonly IceServerConfig[];
  /** Local address to gather host candidates on (Node driver only; browsers decide themselves). */
  readonly bindAddress?: string;
  /**
   * SCTP send buffer for new connections (Node driver only: libdatachannel's process-wide
   * setting; browsers size theirs themselves). Undefined leaves the stack's setting alone.
   */
  readonly sctpSendBufferBytes?: number;
  /** A name for native logs. */
  readonly label: string;
}

/** A negotiated data channel: both sides create it with the same id, nothing travels in-band. */
export interface DriverChannelInit {
  readonly id: number;
  readonly label: string;
  readonly ordered: boolean;
  readonly maxRetransmits?: number;
  readonly maxPacketLifeTime?: number;
  readonly protocol?: string;
}

/** Callbacks of one peer connection. The driver calls them inside a try/catch. */
export interface DriverPeerHandlers {
  localDescription(type: 'offer' | 'answer', sdp: string): void;
  /** A local candidate, `a=` already stripped. */
  localCandidate(candidate: string, mid: string): void;
  connectionState(state: ConnectionState): void;
  gatheringState(state: GatheringState): void;
  signalingState(state: SignalingState): void;
  /** A handler (of the peer or of one of its channels) threw; the driver caught it. */
  handlerError(error: unknown): void;
}

/** Callbacks of one data channel. */
export interface DriverChannelHandlers {
  open(): void;
  /** A binary message. The view is the receiver's to keep. */
  message(data: Uint8Array): void;
  closed(): void;
  error(message: string): void;
  /** `bufferedAmount` fell to the threshold set with `setBufferedAmountLowThreshold`. */
  bufferedAmountLow(): void;
}

/** One data channel of a {@link DriverPeer}. */
export interface DriverChannel {
  /**
   * Hands one message to the stack, which copies it before returning (the caller may reuse the
   * bytes). Returns true when the message had to wait in the stack's queue (so `bufferedAmount`
   * is worth reading), false when the queue is empty after it. Throws when the channel cannot take
   * it (closed, or the stack refused).
   */
  send(data: Uint8Array): boolean;
  /** Bytes handed to the stack and not yet sent. */
  bufferedAmount(): number;
  setBufferedAmountLowThreshold(bytes: number): void;
  close(): void;
}

/** One peer connection. */
export interface DriverPeer {
  /** Creates a negotiated channel; `handlers` are attached before this returns. */
  createChannel(init: DriverChannelInit, handlers: DriverChannelHandlers): DriverChannel;
  /** Creates and sets the local offer; it arrives through `handlers.localDescription`. */
  createOffer(): Promise<void>;
  /** Sets the remote description; for an offer, creates and sets the answer too. Rejects on bad SDP. */
  setRemoteDescription(type: 'offer' | 'answer', sdp: string): Promise<void>;
  /** Adds a remote candidate (with or without `a=`). Rejects on a malformed one. */
  addRemoteCandidate(candidate: string, mid: string): Promise<void>;
  connectionState(): ConnectionState;
  gatheringState(): GatheringState;
  signalingState(): SignalingState;
  /** Largest message the connection carries (the SCTP max-message-size both sides agreed on). */
  maxMessageSize(): number;
  /** Closes the connection; no handler fires after this returns. Resolves once native resources are released. */
  close(): Promise<void>;
}

/** A WebRTC stack. */
export interface RtcDriver {
  /** Which stack this is, for logs and stats. */
  readonly name: 'node-datachannel' | 'browser';
  /** Throws a `ConfigError` for a configuration this stack cannot use, so `join()` fails early. */
  checkConfig(config: Omit<DriverPeerConfig, 'label'>): void;
  createPeer(config: DriverPeerConfig, handlers: DriverPeerHandlers): DriverPeer;
}
