// The only file that imports node-datachannel. Every rule here comes from DESIGN.md's
// "node-datachannel facts": callbacks registered on everything (or the process never exits),
// every callback guarded (a throw inside one aborts the process), negotiated channels with their
// handlers attached in the same tick, auto-negotiation off so the offerer alone decides.
import { type DataChannel, PeerConnection, setSctpSettings } from 'node-datachannel';
import type {
  ConnectionState,
  DriverChannel,
  DriverChannelHandlers,
  DriverChannelInit,
  DriverPeer,
  DriverPeerConfig,
  DriverPeerHandlers,
  GatheringState,
  RtcDriver,
  SignalingState,
} from './driver.js';
import { normaliseCandidate, toLibDataChannelIceServers } from './ice.js';

/** How long `close()` waits for libdatachannel to confirm before giving up on the confirmation. */
const CLOSE_CONFIRM_MS = 2000;

const noop = () => {};

/** The SCTP send buffer last applied (libdatachannel's setting is process-wide, for new associations). */
let appliedSendBuffer: number | undefined;

/**
 * Sizes usrsctp's send buffer before a connection is made. Everything in it leaves in order
 * whatever its channel, so its size is how long an unreliable flood can hold a reliable message
 * back (and a reliable backlog an unreliable one): libdatachannel's 1 MiB default measured
 * ~30 ms median (300 ms worst) on loopback, 256 KiB ~10 ms. It also caps bytes in flight, so
 * reliable throughput tops out near buffer / RTT (2.5 MB/s at 100 ms for 256 KiB).
 */
function applySendBuffer(bytes: number | undefined): void {
  if (bytes === undefined || bytes === appliedSendBuffer) return;
  setSctpSettings({ sendBufferSize: bytes });
  appliedSendBuffer = bytes;
}

function gathering(state: string): GatheringState {
  return state === 'in-progress' ? 'gathering' : (state as GatheringState);
}

function toBytes(message: string | Buffer | ArrayBuffer): Uint8Array {
  if (typeof message === 'string') return new TextEncoder().encode(message);
  if (message instanceof ArrayBuffer) return new Uint8Array(message);
  // A plain Uint8Array view over the Buffer: receivers never see Node's Buffer semantics.
  return new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
}

class NodeChannel implements DriverChannel {
  constructor(readonly dc: DataChannel) {}

  send(data: Uint8Array): boolean {
    // libdatachannel returns false for "queued" (never "dropped"): the transport bounds that queue.
    return !this.dc.sendMessageBinary(data);
  }

  bufferedAmount(): number {
    return this.dc.bufferedAmount();
  }

  setBufferedAmountLowThreshold(bytes: number): void {
    this.dc.setBufferedAmountLowThreshold(bytes);
  }

  close(): void {
    try {
      this.dc.close();
    } catch {
      // Already closed natively: nothing left to release.
    }
  }
}

class NodePeer implements DriverPeer {
  readonly #pc: PeerConnection;
  readonly #handlers: DriverPeerHandlers;
  readonly #channels: NodeChannel[] = [];
  #closed = false;
  #nativeClosed = false;
  #onNativeClosed: (() => void) | undefined;
  #connection: ConnectionState = 'new';
  #gathering: GatheringState = 'new';
  #signaling: SignalingState = 'stable';

  constructor(config: DriverPeerConfig, handlers: DriverPeerHandlers) {
    this.#handlers = handlers;
    applySendBuffer(config.sctpSendBufferBytes);
    this.#pc = new PeerConnection(config.label, {
      iceServers: toLibDataChannelIceServers(config.iceServers),
      disableAutoNegotiation: true,
      ...(config.bindAddress === undefined ? {} : { bindAddress: config.bindAddress }),
    });
    const pc = this.#pc;
    pc.onStateChange((state) => {
      this.#connection = state as ConnectionState;
      if (state === 'closed') this.#confirmClosed();
      this.#call(() => handlers.connectionState(this.#connection));
    });
    pc.onGatheringStateChange((state) => {
      this.#gathering = gathering(state);
      this.#call(() => handlers.gatheringState(this.#gathering));
    });
    pc.onSignalingStateChange((state) => {
      this.#signaling = state as SignalingState;
      this.#call(() => handlers.signalingState(this.#signaling));
    });
    pc.onLocalDescription((sdp, type) => {
      if (type === 'offer' || type === 'answer') this.#call(() => handlers.localDescription(type, sdp));
    });
    pc.onLocalCandidate((candidate, mid) => {
      this.#call(() => {
        const line = normaliseCandidate(candidate);
        if (line !== undefined) handlers.localCandidate(line, mid);
      });
    });
    pc.onIceStateChange(noop);
    // Only negotiated channels are expected; an in-band one from a misbehaving peer is closed, with
    // its callbacks registered so it cannot keep the process alive.
    pc.onDataChannel((dc) => {
      try {
        dc.onClosed(noop);
        dc.onMessage(noop);
        dc.close();
      } catch {
        // Closing a stray channel can fail if the connection is going down; nothing to do.
      }
    });
  }

  /** Runs a handler unless closed, never letting a throw reach native code. */
  #call(fn: () => void): void {
    if (this.#closed) return;
    try {
      fn();
    } catch (error) {
      this.#report(error);
    }
  }

  #report(error: unknown): void {
    try {
      this.#handlers.handlerError(error);
    } catch {
      // The last line of defence: nothing may unwind into libdatachannel.
    }
  }

  #confirmClosed(): void {
    this.#nativeClosed = true;
    this.#onNativeClosed?.();
  }

  createChannel(init: DriverChannelInit, handlers: DriverChannelHandlers): DriverChannel {
    const dc = this.#pc.createDataChannel(init.label, {
      negotiated: true,
      id: init.id,
      unordered: !init.ordered,
      ...(init.maxRetransmits === undefined ? {} : { maxRetransmits: init.maxRetransmits }),
      ...(init.maxPacketLifeTime === undefined ? {} : { maxPacketLifeTime: init.maxPacketLifeTime }),
      ...(init.protocol === undefined ? {} : { protocol: init.protocol }),
    });
    // Same tick as creation: nothing can arrive unhandled.
    dc.onOpen(() => this.#call(handlers.open));
    dc.onClosed(() => this.#call(handlers.closed));
    dc.onError((message) => this.#call(() => handlers.error(message)));
    dc.onBufferedAmountLow(() => this.#call(handlers.bufferedAmountLow));
    dc.onMessage((message) => {
      if (this.#closed) return;
      try {
        handlers.message(toBytes(message));
      } catch (error) {
        this.#report(error);
      }
    });
    const channel = new NodeChannel(dc);
    this.#channels.push(channel);
    return channel;
  }

  async createOffer(): Promise<void> {
    this.#pc.setLocalDescription('offer');
  }

  async setRemoteDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    this.#pc.setRemoteDescription(sdp, type);
    if (type === 'offer') this.#pc.setLocalDescription('answer');
  }

  async addRemoteCandidate(candidate: string, mid: string): Promise<void> {
    const line = normaliseCandidate(candidate);
    if (line !== undefined) this.#pc.addRemoteCandidate(line, mid);
  }

  connectionState(): ConnectionState {
    return this.#connection;
  }

  gatheringState(): GatheringState {
    return this.#gathering;
  }

  signalingState(): SignalingState {
    return this.#signaling;
  }

  maxMessageSize(): number {
    if (this.#closed) return 0;
    return this.#pc.maxMessageSize();
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const channel of this.#channels) channel.close();
    try {
      this.#pc.close();
    } catch {
      // A connection that failed natively may refuse to close again; it is released either way.
    }
    if (this.#nativeClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, CLOSE_CONFIRM_MS);
      this.#onNativeClosed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

/** The Node driver: node-datachannel's native API. */
export const driver: RtcDriver = {
  name: 'node-datachannel',
  checkConfig(config) {
    toLibDataChannelIceServers(config.iceServers);
  },
  createPeer(config, handlers) {
    return new NodePeer(config, handlers);
  },
};
