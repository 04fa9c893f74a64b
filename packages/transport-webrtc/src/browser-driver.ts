// The browser driver: the native RTCPeerConnection. Selected by the `#driver` import when the
// `node` condition is absent (bundlers targeting browsers), so it never pulls node-datachannel in.
import { ConfigError } from '@meshplay/core';
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
import { normaliseCandidate } from './ice.js';

/** libdatachannel's local limit: a larger value from a browser would not be accepted by a Node peer anyway. */
const MAX_MESSAGE_CAP = 256 * 1024;
/** What a peer without `a=max-message-size` in its SDP accepts (RFC 8841). */
const DEFAULT_MAX_MESSAGE = 64 * 1024;

class BrowserChannel implements DriverChannel {
  constructor(readonly dc: RTCDataChannel) {}

  send(data: Uint8Array): boolean {
    // `send` copies the view synchronously, as the driver contract requires. Whatever was sent
    // waits for the network thread a moment; reading `bufferedAmount` is cheap here anyway.
    this.dc.send(data as Uint8Array<ArrayBuffer>);
    return this.dc.bufferedAmount > 0;
  }

  bufferedAmount(): number {
    return this.dc.bufferedAmount;
  }

  setBufferedAmountLowThreshold(bytes: number): void {
    this.dc.bufferedAmountLowThreshold = bytes;
  }

  close(): void {
    this.dc.close();
  }
}

class BrowserPeer implements DriverPeer {
  readonly #pc: RTCPeerConnection;
  readonly #handlers: DriverPeerHandlers;
  readonly #channels: BrowserChannel[] = [];
  #closed = false;

  constructor(config: DriverPeerConfig, handlers: DriverPeerHandlers) {
    this.#handlers = handlers;
    const pc = new RTCPeerConnection({
      iceServers: config.iceServers.map((server) => ({
        urls: typeof server.urls === 'string' ? server.urls : [...server.urls],
        ...(server.username === undefined ? {} : { username: server.username }),
        ...(server.credential === undefined ? {} : { credential: server.credential }),
      })),
    });
    this.#pc = pc;
    pc.onconnectionstatechange = () => this.#call(() => handlers.connectionState(pc.connectionState));
    pc.onicegatheringstatechange = () => this.#call(() => handlers.gatheringState(pc.iceGatheringState));
    pc.onsignalingstatechange = () => this.#call(() => handlers.signalingState(pc.signalingState));
    pc.onicecandidate = (event) => {
      const candidate = event.candidate;
      if (!candidate?.candidate) return; // end of candidates
      this.#call(() => {
        const line = normaliseCandidate(candidate.candidate);
        if (line !== undefined) handlers.localCandidate(line, candidate.sdpMid ?? '0');
      });
    };
    // Only negotiated channels are expected: refuse in-band ones.
    pc.ondatachannel = (event) => event.channel.close();
  }

  #call(fn: () => void): void {
    if (this.#closed) return;
    try {
      fn();
    } catch (error) {
      try {
        this.#handlers.handlerError(error);
      } catch {
        // Nothing may escape into the browser's event dispatch either.
      }
    }
  }

  createChannel(init: DriverChannelInit, handlers: DriverChannelHandlers): DriverChannel {
    const dc = this.#pc.createDataChannel(init.label, {
      negotiated: true,
      id: init.id,
      ordered: init.ordered,
      ...(init.maxRetransmits === undefined ? {} : { maxRetransmits: init.maxRetransmits }),
      ...(init.maxPacketLifeTime === undefined ? {} : { maxPacketLifeTime: init.maxPacketLifeTime }),
      ...(init.protocol === undefined ? {} : { protocol: init.protocol }),
    });
    dc.binaryType = 'arraybuffer';
    dc.onopen = () => this.#call(handlers.open);
    dc.onclose = () => this.#call(handlers.closed);
    dc.onerror = (event) => this.#call(() => handlers.error(errorMessage(event)));
    dc.onbufferedamountlow = () => this.#call(handlers.bufferedAmountLow);
    dc.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      const data = event.data;
      this.#call(() =>
        handlers.message(typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data)),
      );
    };
    const channel = new BrowserChannel(dc);
    this.#channels.push(channel);
    return channel;
  }

  async createOffer(): Promise<void> {
    await this.#pc.setLocalDescription(await this.#pc.createOffer());
    this.#emitLocal();
  }

  async setRemoteDescription(type: 'offer' | 'answer', sdp: string): Promise<void> {
    await this.#pc.setRemoteDescription({ type, sdp });
    if (type !== 'offer') return;
    await this.#pc.setLocalDescription(await this.#pc.createAnswer());
    this.#emitLocal();
  }

  #emitLocal(): void {
    const local = this.#pc.localDescription;
    if (local && (local.type === 'offer' || local.type === 'answer')) {
      this.#call(() => this.#handlers.localDescription(local.type as 'offer' | 'answer', local.sdp));
    }
  }

  async addRemoteCandidate(candidate: string, mid: string): Promise<void> {
    const line = normaliseCandidate(candidate);
    if (line !== undefined) await this.#pc.addIceCandidate({ candidate: line, sdpMid: mid });
  }

  connectionState(): ConnectionState {
    return this.#pc.connectionState;
  }

  gatheringState(): GatheringState {
    return this.#pc.iceGatheringState;
  }

  signalingState(): SignalingState {
    return this.#pc.signalingState;
  }

  maxMessageSize(): number {
    const size = this.#pc.sctp?.maxMessageSize ?? DEFAULT_MAX_MESSAGE;
    return Math.min(size, MAX_MESSAGE_CAP);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const channel of this.#channels) channel.close();
    // Per spec, close() fires no further events: resources go with it.
    this.#pc.close();
  }
}

function errorMessage(event: Event): string {
  const error = (event as Event & { error?: { message?: string } }).error;
  return error?.message ?? 'data channel error';
}

/** The browser driver: the native `RTCPeerConnection`. */
export const driver: RtcDriver = {
  name: 'browser',
  checkConfig(config) {
    if (typeof RTCPeerConnection === 'undefined') {
      throw new ConfigError(
        'no RTCPeerConnection here: in Node, resolve this package with the "node" condition',
      );
    }
    for (const server of config.iceServers) {
      const urls = typeof server.urls === 'string' ? [server.urls] : server.urls;
      if (urls.length === 0) throw new ConfigError('an ICE server needs at least one URL');
    }
  },
  createPeer(config, handlers) {
    return new BrowserPeer(config, handlers);
  },
};
