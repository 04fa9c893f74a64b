import { createEmitter, type Emitter } from '../emitter.js';
import { TransportError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { ChannelConfig } from '../transport/channels.js';
import type { PeerStats, TransportEvents } from '../transport/transport.js';
import type { LinkDirection } from './direction.js';
import { SimTransport } from './sim-transport.js';

/** What an {@link Endpoint} asks of the network that made it. */
export interface EndpointHost {
  now(): number;
  send(dir: LinkDirection, channel: number, data: Uint8Array): void;
  disconnect(from: Endpoint, dir: LinkDirection, reason: string, localEvent: 'sync' | 'deferred'): void;
  reportError(error: unknown): void;
  closed(endpoint: Endpoint): void;
  /** Application code is about to run (an event handler). */
  touched(): void;
}

/**
 * The network's side of one simulated endpoint: its links, its flags and its event delivery. The
 * application only ever sees the {@link SimTransport} facade, so none of this is public API.
 */
export class Endpoint {
  /** Outgoing link directions by peer, opening and open ones. */
  readonly links = new Map<PeerId, LinkDirection>();
  readonly events: Emitter<TransportEvents> = createEmitter<TransportEvents>();
  readonly transport: SimTransport;
  /** Set by `net.crash()`: the endpoint went silent. */
  crashed = false;
  closed = false;
  droppedWithoutLink = 0;

  constructor(
    readonly id: PeerId,
    readonly channels: readonly ChannelConfig[],
    readonly maxMessageSize: number,
    readonly host: EndpointHost,
  ) {
    this.transport = new SimTransport(this);
  }

  peers(): PeerId[] {
    const out: PeerId[] = [];
    for (const [peer, dir] of this.links) if (dir.open) out.push(peer);
    return out;
  }

  send(peer: PeerId, channel: number, data: Uint8Array): void {
    if (this.closed) throw new TransportError('E_TRANSPORT', `transport ${this.id} is closed`);
    if (!Number.isInteger(channel) || channel < 0 || channel >= this.channels.length) {
      throw new TransportError(
        'E_TRANSPORT',
        `unknown channel ${channel} (this transport has ${this.channels.length})`,
      );
    }
    if (!(data instanceof Uint8Array)) throw new TransportError('E_TRANSPORT', 'send takes a Uint8Array');
    if (this.crashed) return;
    const dir = this.links.get(peer);
    if (dir === undefined || !dir.open) {
      this.droppedWithoutLink++;
      return;
    }
    const max = Math.min(this.maxMessageSize, dir.to.maxMessageSize);
    if (data.byteLength > max) {
      throw new TransportError(
        'E_MESSAGE_TOO_LARGE',
        `datagram of ${data.byteLength} bytes exceeds ${max} to ${peer}`,
      );
    }
    this.host.send(dir, channel, data.slice());
  }

  maxMessageSizeTo(peer: PeerId): number {
    const dir = this.links.get(peer);
    return dir === undefined ? this.maxMessageSize : Math.min(this.maxMessageSize, dir.to.maxMessageSize);
  }

  disconnect(peer: PeerId, reason: string): void {
    if (this.closed) return;
    const dir = this.links.get(peer);
    if (dir !== undefined) this.host.disconnect(this, dir, reason, 'deferred');
  }

  stats(peer: PeerId): PeerStats | undefined {
    const dir = this.links.get(peer);
    if (dir === undefined) return undefined;
    const queued = dir.drainQueue(this.host.now());
    const held = dir.heldBytesByChannel();
    let heldTotal = 0;
    for (const bytes of held) heldTotal += bytes;
    return dir.stats.snapshot(dir.config.latency + dir.reverse.config.latency, queued + heldTotal, held);
  }

  close(): void {
    if (this.closed) return;
    for (const dir of [...this.links.values()]) this.host.disconnect(this, dir, 'closed', 'sync');
    this.closed = true;
    this.links.clear();
    this.host.closed(this);
  }

  /** Hands a delivered datagram to the `message` handlers. */
  receive(from: PeerId, channel: number, data: Uint8Array): void {
    if (channel >= this.channels.length) {
      const error = new TransportError('E_TRANSPORT', `datagram on unknown channel ${channel}`);
      this.emit('error', { peer: from, error });
      return;
    }
    this.emit('message', { peer: from, channel, data });
  }

  /**
   * Emits like mitt, except that a throwing handler (or the promise of an async one rejecting)
   * neither stops the others nor escapes: the network records the error and `run()` rejects with
   * it. Closed or crashed endpoints stay silent.
   */
  emit<K extends keyof TransportEvents>(type: K, event: TransportEvents[K]): void {
    if (this.closed || this.crashed) return;
    const all = this.events.all;
    const list = all.get(type) as ((event: TransportEvents[K]) => void)[] | undefined;
    if (list !== undefined && list.length > 0) {
      this.host.touched();
      // Lists are copy-on-write (see createEmitter): walking one while a handler unsubscribes is safe.
      for (const handler of list) this.#call(handler, event);
    }
    const wildcard = all.get('*') as ((type: K, event: TransportEvents[K]) => void)[] | undefined;
    if (wildcard !== undefined && wildcard.length > 0) {
      this.host.touched();
      for (const handler of wildcard) {
        try {
          this.#watch(handler(type, event));
        } catch (error) {
          this.host.reportError(error);
        }
      }
    }
  }

  #call<E>(handler: (event: E) => void, event: E): void {
    try {
      this.#watch(handler(event));
    } catch (error) {
      this.host.reportError(error);
    }
  }

  /** An async handler's rejection is a handler error too, not an unhandled rejection. */
  #watch(result: unknown): void {
    if (result instanceof Promise) result.catch(this.host.reportError);
  }
}
