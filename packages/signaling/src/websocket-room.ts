import {
  SignalingError,
  type SignalingError as SignalingErrorType,
  type SignalingRoom,
  type SignalPayload,
  type SignalPeerId,
} from './contract.js';
import { SignalingEventEmitter } from './emitter.js';
import {
  closeCodeName,
  isRetryableClose,
  type JoinedMessage,
  PROTOCOL_VERSION,
  type ServerMessage,
} from './protocol.js';
import { Link, type WebSocketConstructor } from './websocket-link.js';

/** How a room gets back after its connection drops. */
export interface ReconnectOptions {
  /** First delay (ms); doubled per attempt, with jitter. Default 250. */
  baseMs?: number;
  /** Longest delay (ms). Default 5000. */
  maxMs?: number;
  /** Attempts before giving up with `closed` E_UNREACHABLE. Default 20. */
  maxAttempts?: number;
}

/** What a room needs from its adapter. */
export interface RoomConfig {
  readonly urls: readonly string[];
  readonly WebSocket: WebSocketConstructor;
  readonly timeoutMs: number;
  readonly reconnect: Required<ReconnectOptions> | false;
  /** The auth credential, re-sent on every resume. */
  readonly token: string | undefined;
}

/** Payloads held while reconnecting, at most; the oldest go first. */
const QUEUE_LIMIT = 256;

/**
 * A lobby joined over WebSocket. When the connection drops it reconnects with backoff (trying
 * each URL in turn) and resumes with the same id; peers, host and seal are reconciled from the
 * server's answer, and payloads sent meanwhile are queued. WebRTC links made through the room do
 * not depend on this socket, so they are untouched.
 */
export class WebSocketRoom implements SignalingRoom {
  readonly events = new SignalingEventEmitter();
  readonly room: string;
  readonly code: string;
  readonly selfId: SignalPeerId;
  /** Whether the lobby is listed publicly. */
  readonly public: boolean;
  /** Most peers the lobby admits. */
  readonly maxPeers: number;
  #hostId: SignalPeerId;
  #sealed: boolean;
  readonly #peers = new Set<SignalPeerId>();
  readonly #config: RoomConfig;
  #link: Link | undefined;
  #resume: string;
  #pingMs: number;
  #pinger: ReturnType<typeof setInterval> | undefined;
  #state: 'open' | 'reconnecting' | 'closed' = 'open';
  readonly #queue: { to: SignalPeerId; payload: SignalPayload }[] = [];

  /** @internal Made by {@link WebSocketSignaling} from a `joined` answer. */
  constructor(config: RoomConfig, link: Link, joined: JoinedMessage) {
    this.#config = config;
    this.room = joined.room;
    this.code = joined.code;
    this.selfId = joined.self;
    this.public = joined.public;
    this.maxPeers = joined.maxPeers;
    this.#hostId = joined.host;
    this.#sealed = joined.sealed;
    this.#resume = joined.resume;
    this.#pingMs = joined.pingMs;
    for (const peer of joined.peers) this.#peers.add(peer);
    this.#attach(link);
    link.listen((message) => this.#onMessage(message));
  }

  get hostId(): SignalPeerId {
    return this.#hostId;
  }

  get sealed(): boolean {
    return this.#sealed;
  }

  /** Whether the room is connected now ('reconnecting' after a drop, 'closed' for good). */
  get state(): 'open' | 'reconnecting' | 'closed' {
    return this.#state;
  }

  peers(): readonly SignalPeerId[] {
    return [...this.#peers];
  }

  send(to: SignalPeerId, payload: SignalPayload): void {
    if (this.#state === 'closed') throw new SignalingError('E_CLOSED', 'this peer has left the room');
    if (this.#state === 'reconnecting' || !this.#link?.open) {
      this.#queue.push({ to, payload });
      if (this.#queue.length > QUEUE_LIMIT) this.#queue.shift();
      return;
    }
    this.#link.send({ type: 'signal', to, payload });
  }

  async seal(): Promise<void> {
    if (this.#state !== 'open' || !this.#link) throw new SignalingError('E_NOT_CONNECTED', 'not connected');
    await this.#link.request({ type: 'seal' }, this.#config.timeoutMs);
  }

  async leave(): Promise<void> {
    if (this.#state === 'closed') return;
    const link = this.#link;
    this.#shutdown();
    if (!link?.open) return;
    link.send({ type: 'leave' });
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 1000);
      link.onClose = () => {
        clearTimeout(timer);
        resolve();
      };
      link.close(1000, 'leave');
    });
  }

  #attach(link: Link): void {
    this.#link = link;
    link.onBadFrame = (text) => this.#error('E_BAD_MESSAGE', `malformed frame from the server: ${text}`);
    link.onClose = (code, reason) => this.#onClose(code, reason);
    clearInterval(this.#pinger);
    this.#pinger = setInterval(() => this.#keepAlive(), this.#pingMs);
    (this.#pinger as { unref?: () => void }).unref?.();
  }

  #keepAlive(): void {
    const link = this.#link;
    if (!link || this.#state !== 'open') return;
    if (performance.now() - link.lastHeard > this.#pingMs * 2 + 1000) {
      // Nothing heard for two rounds: the socket is dead even if the browser has not noticed.
      link.abandon();
      this.#onClose(1006, 'keep-alive timed out');
      return;
    }
    link.send({ type: 'ping' });
  }

  #onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'peer-joined':
        this.#addPeer(message.peer);
        return;
      case 'peer-left':
        this.#removePeer(message.peer);
        return;
      case 'host':
        this.#resume = message.resume;
        this.#setHost(message.host);
        return;
      case 'sealed':
        this.#resume = message.resume;
        this.#setSealed();
        return;
      case 'peers':
        this.#reconcile(message.peers, true);
        this.#setHost(message.host);
        return;
      case 'signal':
        this.events.emit('signal', { from: message.from, payload: message.payload });
        return;
      case 'error':
        this.#error(message.code, message.reason);
        return;
      default:
        return;
    }
  }

  #onClose(code: number, reason: string): void {
    if (this.#state !== 'open') return;
    if (this.#config.reconnect && isRetryableClose(code)) {
      void this.#reconnect(this.#config.reconnect);
      return;
    }
    this.#finish(code, reason);
  }

  async #reconnect(policy: Required<ReconnectOptions>): Promise<void> {
    this.#state = 'reconnecting';
    clearInterval(this.#pinger);
    const urls = this.#config.urls;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      this.events.emit('reconnecting', { attempt });
      const delay = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
      await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.#state !== 'reconnecting') return;
      let link: Link;
      try {
        link = await Link.open(
          this.#config.WebSocket,
          urls[attempt % urls.length] as string,
          this.#config.timeoutMs,
        );
      } catch {
        continue;
      }
      if (this.#state !== 'reconnecting') {
        link.close();
        return;
      }
      let answer: ServerMessage;
      try {
        answer = await link.request(
          { type: 'resume', v: PROTOCOL_VERSION, resume: this.#resume, ...token(this.#config.token) },
          this.#config.timeoutMs,
        );
      } catch (error) {
        const refusal = error as SignalingErrorType;
        if (
          refusal.code === 'E_RESUME_REFUSED' ||
          refusal.code === 'E_UNAUTHORIZED' ||
          refusal.code === 'E_VERSION'
        ) {
          this.#finish(0, `${refusal.code}: ${refusal.message}`);
          return;
        }
        link.close();
        continue;
      }
      if (this.#state !== 'reconnecting' || answer.type !== 'joined' || answer.self !== this.selfId) {
        link.close();
        if (this.#state === 'reconnecting')
          this.#finish(0, 'E_RESUME_REFUSED: the server answered with another id');
        return;
      }
      this.#state = 'open';
      this.#resume = answer.resume;
      this.#pingMs = answer.pingMs;
      this.#attach(link);
      this.#reconcile(answer.peers, !answer.restoring);
      this.#setHost(answer.host);
      if (answer.sealed) this.#setSealed();
      this.events.emit('reconnected', {});
      link.listen((message) => this.#onMessage(message));
      for (const { to, payload } of this.#queue.splice(0)) this.send(to, payload);
      return;
    }
    this.#finish(0, `E_UNREACHABLE: gave up after ${policy.maxAttempts} attempts`);
  }

  /** Brings the peer set in line with the server's list (removing only when `complete`). */
  #reconcile(peers: readonly SignalPeerId[], complete: boolean): void {
    const now = new Set(peers.filter((peer) => peer !== this.selfId));
    if (complete) for (const peer of [...this.#peers]) if (!now.has(peer)) this.#removePeer(peer);
    for (const peer of now) this.#addPeer(peer);
  }

  #addPeer(peer: SignalPeerId): void {
    if (peer === this.selfId || this.#peers.has(peer)) return;
    this.#peers.add(peer);
    this.events.emit('peer-joined', { peer });
  }

  #removePeer(peer: SignalPeerId): void {
    if (!this.#peers.delete(peer)) return;
    this.events.emit('peer-left', { peer });
  }

  #setHost(host: SignalPeerId): void {
    if (host === this.#hostId) return;
    this.#hostId = host;
    this.events.emit('host-changed', { host });
  }

  #setSealed(): void {
    if (this.#sealed) return;
    this.#sealed = true;
    this.events.emit('sealed', {});
  }

  #error(code: string, reason: string): void {
    this.events.emit('error', { error: new SignalingError(code, reason) });
  }

  /** Out for good: report why, with the `E_…` code from the close. */
  #finish(code: number, reason: string): void {
    this.#shutdown();
    this.events.emit('closed', {
      code: closeCodeName(code, reason),
      reason: reason || `connection closed (${code})`,
    });
  }

  #shutdown(): void {
    this.#state = 'closed';
    clearInterval(this.#pinger);
    this.#queue.length = 0;
  }
}

function token(value: string | undefined): { token?: string } {
  return value === undefined ? {} : { token: value };
}
