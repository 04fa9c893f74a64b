import type { Emitter } from 'mitt';
import type { PeerId } from '../ids.js';
import type { ChannelConfig } from '../transport/channels.js';
import type { PeerStats, Transport, TransportEvents } from '../transport/transport.js';
import type { Endpoint } from './endpoint.js';

/** Default largest datagram, as node-datachannel advertises locally. */
export const DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;

/**
 * A {@link Transport} whose links live in a `SimNetwork`: make it with `net.createTransport()` and
 * link it with `net.connect()`. Datagrams are copied on `send`, cross the network's link model and
 * reach the other side as `message` events when the network's clock gets there. A handler that
 * throws does not stop the other handlers; the network records the error and `run()` rejects.
 */
export class SimTransport implements Transport {
  readonly #endpoint: Endpoint;

  /** Made by `SimNetwork.createTransport`, never directly. */
  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
  }

  get localId(): PeerId {
    return this.#endpoint.id;
  }

  get channels(): readonly ChannelConfig[] {
    return this.#endpoint.channels;
  }

  get events(): Emitter<TransportEvents> {
    return this.#endpoint.events;
  }

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#endpoint.closed;
  }

  /** True once `net.crash()` silenced this endpoint. */
  get crashed(): boolean {
    return this.#endpoint.crashed;
  }

  /** Datagrams sent to a peer this endpoint had no open link to (dropped). */
  get droppedWithoutLink(): number {
    return this.#endpoint.droppedWithoutLink;
  }

  peers(): readonly PeerId[] {
    return this.#endpoint.peers();
  }

  /**
   * Copies and sends one datagram. Throws `TransportError` `E_TRANSPORT` for an unknown channel or
   * a closed transport and `E_MESSAGE_TOO_LARGE` above {@link maxMessageSize}; a datagram to a
   * peer without an open link is dropped and counted in {@link droppedWithoutLink}.
   */
  send(peer: PeerId, channel: number, data: Uint8Array): void {
    this.#endpoint.send(peer, channel, data);
  }

  /** The smaller of both ends' limits (this end's alone when there is no link). */
  maxMessageSize(peer: PeerId): number {
    return this.#endpoint.maxMessageSizeTo(peer);
  }

  /** Closes the link: `peer-disconnected` here at the current instant, there one latency later. */
  disconnect(peer: PeerId, reason = 'disconnected'): void {
    this.#endpoint.disconnect(peer, reason);
  }

  /** Counters for one peer; `rttMs` is the sum of both directions' latency. */
  stats(peer: PeerId): PeerStats | undefined {
    return this.#endpoint.stats(peer);
  }

  /** Disconnects every peer (the events fire before this resolves), then stays silent. */
  async close(): Promise<void> {
    this.#endpoint.close();
  }
}
