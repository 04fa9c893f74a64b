import type { MqttClient } from 'mqtt';
import { SignalingError, type SignalingRoom, type SignalPayload, type SignalPeerId } from './contract.js';
import { SignalingEventEmitter } from './emitter.js';
import { open, seal } from './mqtt-crypto.js';

/** What travels inside the encryption. */
export type MqttWire =
  | { k: 'hello'; id: SignalPeerId; since: number; sealed: boolean; reply?: boolean }
  | { k: 'bye'; id: SignalPeerId }
  | { k: 'seal'; id: SignalPeerId }
  | { k: 'signal'; from: SignalPeerId; payload: SignalPayload };

/** Topics of one room: announcements for all, and one inbox per peer. */
export interface MqttTopics {
  readonly announce: string;
  inbox(peer: SignalPeerId): string;
}

/** Timings of presence. */
export interface MqttTimings {
  announceMs: number;
  peerTimeoutMs: number;
}

interface Known {
  since: number;
  seen: number;
}

/** Bytes → the base64 text published (plain strings travel the same in every mqtt.js build). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

/**
 * A room over an MQTT broker, with no server of ours: each peer announces itself on the room
 * topic, answers newcomers in their inbox, and is dropped when it says goodbye (or its broker
 * connection dies: the last will says it) or falls silent. The host is the earliest joiner
 * (ties broken by id), frozen once sealed.
 */
export class MqttRoom implements SignalingRoom {
  readonly events = new SignalingEventEmitter();
  readonly #client: MqttClient;
  readonly #key: CryptoKey;
  readonly #topics: MqttTopics;
  readonly #timings: MqttTimings;
  readonly #since = Date.now();
  readonly #peers = new Map<SignalPeerId, Known>();
  #sealed = false;
  #frozenHost: SignalPeerId | undefined;
  #hostId: SignalPeerId;
  #live = false;
  #left = false;
  #chain: Promise<void> = Promise.resolve();
  #timers: ReturnType<typeof setInterval>[] = [];
  /** While discovering: undecryptable announcements (a wrong password) and seal notices. */
  readonly discovery = { unreadable: 0, sealedSeen: false };

  constructor(
    readonly room: string,
    readonly selfId: SignalPeerId,
    client: MqttClient,
    key: CryptoKey,
    topics: MqttTopics,
    timings: MqttTimings,
  ) {
    this.#client = client;
    this.#key = key;
    this.#topics = topics;
    this.#timings = timings;
    this.#hostId = selfId;
    client.on('message', (topic, payload) => {
      // Decryption is asynchronous; the chain keeps the broker's order.
      this.#chain = this.#chain.then(() => this.#onMessage(topic, String(payload))).catch(() => {});
    });
    let attempt = 0;
    client.on('offline', () => {
      if (!this.#left) this.events.emit('reconnecting', { attempt: ++attempt });
    });
    client.on('connect', () => {
      if (attempt === 0 || this.#left) return;
      attempt = 0;
      this.events.emit('reconnected', {});
      void this.#announce(false);
    });
    client.on('error', (error) => {
      this.events.emit('error', { error: new SignalingError('E_BROKER', error.message) });
    });
  }

  get hostId(): SignalPeerId {
    return this.#hostId;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  peers(): readonly SignalPeerId[] {
    return [...this.#peers.keys()];
  }

  /** Announces this peer and starts presence upkeep; events flow from now on (`live`). */
  async start(): Promise<void> {
    await this.#announce(false);
  }

  /** Ends discovery: from now on joins, departures and host changes are announced as events. */
  goLive(): void {
    this.#live = true;
    this.#timers.push(setInterval(() => void this.#announce(false), this.#timings.announceMs));
    this.#timers.push(setInterval(() => this.#sweep(), Math.max(50, this.#timings.announceMs / 2)));
    for (const timer of this.#timers) (timer as { unref?: () => void }).unref?.();
  }

  send(to: SignalPeerId, payload: SignalPayload): void {
    if (this.#left) throw new SignalingError('E_CLOSED', 'this peer has left the room');
    if (!this.#peers.has(to)) {
      this.events.emit('error', {
        error: new SignalingError('E_UNKNOWN_PEER', `no peer '${to}' in this room`),
      });
      return;
    }
    void this.#publish(this.#topics.inbox(to), { k: 'signal', from: this.selfId, payload });
  }

  async seal(): Promise<void> {
    if (this.#hostId !== this.selfId)
      throw new SignalingError('E_NOT_HOST', 'only the host may seal the room');
    if (this.#sealed) return;
    this.#setSealed();
    await this.#publish(this.#topics.announce, { k: 'seal', id: this.selfId });
  }

  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    for (const timer of this.#timers) clearInterval(timer);
    try {
      await this.#publish(this.#topics.announce, { k: 'bye', id: this.selfId });
    } finally {
      await this.#client.endAsync().catch(() => {});
    }
  }

  async #announce(reply: boolean, to?: SignalPeerId): Promise<void> {
    const hello: MqttWire = { k: 'hello', id: this.selfId, since: this.#since, sealed: this.#sealed, reply };
    await this.#publish(to === undefined ? this.#topics.announce : this.#topics.inbox(to), hello).catch(
      () => {},
    );
  }

  async #publish(topic: string, message: MqttWire): Promise<void> {
    if (!this.#client.connected && message.k !== 'signal') return;
    const bytes = await seal(this.#key, message);
    await this.#client.publishAsync(topic, toBase64(bytes), { qos: 1 });
  }

  async #onMessage(topic: string, text: string): Promise<void> {
    if (this.#left) return;
    const bytes = fromBase64(text);
    const message = (bytes && (await open(this.#key, bytes))) as MqttWire | undefined;
    if (!message || typeof message !== 'object') {
      if (topic === this.#topics.announce) this.discovery.unreadable++;
      return;
    }
    switch (message.k) {
      case 'hello': {
        if (typeof message.id !== 'string' || message.id === this.selfId) return;
        const known = this.#peers.has(message.id);
        if (!known && message.sealed) {
          // Members of a sealed room: this newcomer is not let in.
          this.discovery.sealedSeen = true;
          return;
        }
        if (!known && this.#sealed) {
          // A sealed room takes nobody new; tell the newcomer why.
          if (!message.reply) await this.#announce(true, message.id);
          return;
        }
        this.#saw(message.id, Number(message.since) || Date.now());
        if (message.sealed && !this.#sealed) this.#setSealed();
        if (!known && !message.reply) await this.#announce(true, message.id);
        return;
      }
      case 'bye':
        this.#forget(message.id);
        return;
      case 'seal':
        if (message.id === this.#hostId) this.#setSealed();
        return;
      case 'signal':
        if (typeof message.from !== 'string' || message.from === this.selfId) return;
        if (!this.#peers.has(message.from)) this.#saw(message.from, Date.now());
        if (this.#peers.has(message.from))
          this.events.emit('signal', { from: message.from, payload: message.payload });
        return;
    }
  }

  #saw(peer: SignalPeerId, since: number): void {
    const known = this.#peers.get(peer);
    if (known) {
      known.seen = Date.now();
      return;
    }
    if (this.#sealed) return;
    this.#peers.set(peer, { since, seen: Date.now() });
    if (this.#live) this.events.emit('peer-joined', { peer });
    this.#electHost();
  }

  #forget(peer: SignalPeerId): void {
    if (!this.#peers.delete(peer)) return;
    if (this.#live) this.events.emit('peer-left', { peer });
    this.#electHost();
  }

  #sweep(): void {
    const cutoff = Date.now() - this.#timings.peerTimeoutMs;
    for (const [peer, known] of this.#peers) if (known.seen < cutoff) this.#forget(peer);
  }

  #setSealed(): void {
    this.#sealed = true;
    this.#frozenHost = this.#hostId;
    if (this.#live) this.events.emit('sealed', {});
  }

  /** The earliest joiner hosts (ties: the smaller id); a sealed room keeps its host. */
  #electHost(): void {
    if (this.#frozenHost !== undefined) return;
    let host = this.selfId;
    let since = this.#since;
    for (const [peer, known] of this.#peers) {
      if (known.since < since || (known.since === since && peer < host)) {
        host = peer;
        since = known.since;
      }
    }
    if (host === this.#hostId) return;
    this.#hostId = host;
    if (this.#live) this.events.emit('host-changed', { host });
  }
}
