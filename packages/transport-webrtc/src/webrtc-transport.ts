import {
  BadPacketError,
  type ChannelConfig,
  createEmitter,
  type Emitter,
  type PeerId,
  type PeerStats,
  realScheduler,
  type Scheduler,
  type TimerHandle,
  type Transport,
  TransportError,
  type TransportEvents,
} from '@meshplay/core';
import type { SignalingAdapter, SignalingEvents, SignalingRoom } from '@meshplay/signaling';
import { driver } from '#driver';
import { CloseReason } from './close-reason.js';
import type { ConnectionState, GatheringState, RtcDriver, SignalingState } from './driver.js';
import type { WebRtcEvents } from './events.js';
import { FrameWriter } from './framing.js';
import { HeartbeatClock } from './heartbeat.js';
import {
  channelLayout,
  type ResolvedOptions,
  resolveOptions,
  type Topology,
  type WebRtcTransportOptions,
} from './options.js';
import { type LinkContext, PeerLink } from './peer-link.js';
import { PeerWaiters } from './peer-waiters.js';
import { parseSignal, type SignalMessage } from './signal-messages.js';

/** Backoff before connection attempt n is `n` times this. */
const RETRY_DELAY_MS = 100;

/** A datagram size reported for peers without an open link: what any WebRTC peer accepts. */
const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 - 1;

/**
 * core's {@link Transport} over WebRTC data channels. Peers are found, and SDP/ICE swapped,
 * through any {@link SignalingAdapter}; in `star` topology clients link only to the room's host,
 * in `mesh` every pair links. Per pair, the peer with the smaller id offers, so offers never
 * cross. Every link carries the three built-in channels (ids 0–2) and the user channels
 * (ids 3…), all negotiated with fixed ids.
 *
 * ```ts
 * const transport = await WebRtcTransport.join(signaling, 'lobby-1', { topology: 'star' });
 * const session = new Session({ transport, role: transport.isHost ? 'host' : 'client', ... });
 * ```
 */
export class WebRtcTransport implements Transport {
  /**
   * Joins `room` through `signaling` and starts linking to its peers. Resolves once the room is
   * joined; links open afterwards (`peer-connected`; {@link waitForPeer} awaits one). Throws a
   * `ConfigError` for unusable options and whatever the adapter throws for a refused join.
   */
  static async join(
    signaling: SignalingAdapter,
    room: string,
    options: WebRtcTransportOptions,
  ): Promise<WebRtcTransport> {
    const resolved = resolveOptions(options);
    const layout = channelLayout(options.channels);
    driver.checkConfig({
      iceServers: resolved.iceServers,
      ...(resolved.bindAddress === undefined ? {} : { bindAddress: resolved.bindAddress }),
    });
    const joined = await signaling.join(room, resolved.joinOptions);
    return new WebRtcTransport(joined, resolved, layout, driver, realScheduler);
  }

  readonly localId: PeerId;
  readonly channels: readonly ChannelConfig[];
  readonly events: Emitter<TransportEvents> = createEmitter<TransportEvents>();
  /** Host changes and per-peer connection, gathering and signaling state changes. */
  readonly webrtcEvents: Emitter<WebRtcEvents> = createEmitter<WebRtcEvents>();
  readonly topology: Topology;
  readonly #room: SignalingRoom;
  readonly #options: ResolvedOptions;
  readonly #scheduler: Scheduler;
  readonly #links = new Map<PeerId, PeerLink>();
  readonly #open = new Map<PeerId, PeerLink>();
  readonly #waiters: PeerWaiters;
  readonly #retries = new Map<PeerId, TimerHandle>();
  /** Latest connection attempt this side offered, per peer. */
  readonly #attempts = new Map<PeerId, number>();
  readonly #context: LinkContext;
  readonly #heartbeat: HeartbeatClock;
  readonly #unsubscribe: (() => void)[] = [];
  #peerList: readonly PeerId[] | undefined = [];
  #closed = false;
  #silent = false;
  #closing: Promise<void> | undefined;

  private constructor(
    room: SignalingRoom,
    options: ResolvedOptions,
    layout: readonly ChannelConfig[],
    rtc: RtcDriver,
    scheduler: Scheduler,
  ) {
    this.#room = room;
    this.#options = options;
    this.#scheduler = scheduler;
    this.#waiters = new PeerWaiters(scheduler);
    this.localId = room.selfId;
    this.channels = layout;
    this.topology = options.topology;
    this.#context = this.#linkContext(rtc, layout);
    this.#heartbeat = new HeartbeatClock(scheduler, options.heartbeatIntervalMs, (now, stalled) => {
      for (const link of this.#open.values()) link.tick(now, stalled);
    });
    this.#listen('peer-joined', ({ peer }) => this.#ensureLink(peer));
    this.#listen('peer-left', ({ peer }) => this.#peerLeft(peer));
    this.#listen('signal', ({ from, payload }) => this.#signal(from, payload));
    this.#listen('host-changed', ({ host }) => this.#hostChanged(host));
    this.#listen('closed', ({ code, reason }) =>
      this.#emit('error', {
        error: new TransportError('E_TRANSPORT', `signaling closed (${code}): ${reason}; open links stay up`),
      }),
    );
    this.#listen('error', ({ error }) => this.#emit('error', { error }));
    for (const peer of room.peers()) this.#ensureLink(peer);
  }

  /** The signaling room's name. */
  get room(): string {
    return this.#room.room;
  }

  /** The signaling room's current host. */
  get hostId(): PeerId {
    return this.#room.hostId;
  }

  /** Whether this peer is the signaling room's host. */
  get isHost(): boolean {
    return this.#room.hostId === this.localId;
  }

  peers(): readonly PeerId[] {
    this.#peerList ??= [...this.#open.keys()];
    return this.#peerList;
  }

  send(peer: PeerId, channel: number, data: Uint8Array): void {
    if (this.#closed) throw new TransportError('E_NOT_CONNECTED', 'the transport is closed');
    if (!(channel >= 0 && channel < this.channels.length && Number.isInteger(channel))) {
      throw new TransportError(
        'E_TRANSPORT',
        `unknown channel ${channel} (this transport has ${this.channels.length})`,
      );
    }
    // A peer that just went away: dropped silently, as the contract says (nothing to count it on).
    this.#open.get(peer)?.send(channel, data);
  }

  /**
   * Largest datagram `send` takes on a reliable channel: `maxMessageBytes` (both ends must agree
   * on it). Above the connection's SCTP limit (256 KiB between Node peers, 64 KiB at worst) the
   * transport fragments; unreliable channels carry at most {@link maxUnfragmentedSize}.
   */
  maxMessageSize(_peer: PeerId): number {
    return this.#options.maxMessageBytes;
  }

  /** Largest datagram an unreliable channel to `peer` carries (the connection's SCTP limit, less a byte). */
  maxUnfragmentedSize(peer: PeerId): number {
    return this.#open.get(peer)?.maxUnfragmented() ?? DEFAULT_MAX_MESSAGE_SIZE;
  }

  disconnect(peer: PeerId, reason = 'disconnected'): void {
    void this.#links.get(peer)?.close(reason, 'graceful');
  }

  stats(peer: PeerId): PeerStats | undefined {
    return this.#open.get(peer)?.stats();
  }

  /** The connection state of the link to `peer` (Godot's `get_connection_state`), if there is one. */
  connectionState(peer: PeerId): ConnectionState | undefined {
    return this.#links.get(peer)?.connectionState();
  }

  /** ICE gathering state of the link to `peer` (Godot's `get_gathering_state`), if there is one. */
  gatheringState(peer: PeerId): GatheringState | undefined {
    return this.#links.get(peer)?.gatheringState();
  }

  /** Signaling state of the link to `peer` (Godot's `get_signaling_state`), if there is one. */
  signalingState(peer: PeerId): SignalingState | undefined {
    return this.#links.get(peer)?.signalingState();
  }

  /**
   * Resolves when the link to `peer` is open; rejects with the reason when the link fails or
   * closes first, or with an `E_TIMEOUT` `TransportError` after `timeoutMs` (default: the
   * connect timeout). A star client awaits `waitForPeer(transport.hostId)`.
   */
  waitForPeer(peer: PeerId, timeoutMs = this.#options.connectTimeoutMs): Promise<void> {
    if (this.#open.has(peer)) return Promise.resolve();
    if (this.#closed) return Promise.reject(new TransportError('E_NOT_CONNECTED', 'the transport is closed'));
    return this.#waiters.wait(peer, timeoutMs);
  }

  /**
   * Closes every link (each peer gets a `Bye`, and `peer-disconnected` fires for it here), leaves
   * the signaling room and releases every native resource, so the process can exit by itself. No
   * event fires after the promise resolves.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    this.#heartbeat.stop();
    for (const timer of this.#retries.values()) this.#scheduler.clearTimeout(timer);
    this.#retries.clear();
    for (const off of this.#unsubscribe) off();
    const closing = [...this.#links.values()].map((link) => link.close(CloseReason.Closed, 'graceful'));
    this.#waiters.rejectAll(new TransportError('E_NOT_CONNECTED', 'the transport was closed'));
    await Promise.all([this.#room.leave().catch(() => undefined), ...closing]);
    this.#silent = true;
  }

  // Linking ---------------------------------------------------------------------------------------

  /** Whether the topology wants a link between this peer and `peer`. */
  #wantsLink(peer: PeerId): boolean {
    if (peer === this.localId) return false;
    if (this.topology === 'mesh') return true;
    return this.isHost || peer === this.#room.hostId;
  }

  /** Per pair, the smaller id offers: both sides agree without a word, so offers never cross. */
  #offersTo(peer: PeerId): boolean {
    return this.localId < peer;
  }

  /** Starts a link to `peer` if the topology wants one and none exists (or is being retried). */
  #ensureLink(peer: PeerId): void {
    if (this.#closed || !this.#wantsLink(peer) || this.#links.has(peer) || this.#retries.has(peer)) return;
    // An answerer's link waits for the offer (attempt 0 until it arrives); its connect timer runs.
    this.#startLink(peer, this.#offersTo(peer), this.#offersTo(peer) ? 1 : 0);
  }

  #startLink(peer: PeerId, offerer: boolean, attempt: number): PeerLink {
    if (offerer) this.#attempts.set(peer, attempt);
    const link = new PeerLink(this.#context, peer, offerer, attempt);
    this.#links.set(peer, link);
    return link;
  }

  #peerLeft(peer: PeerId): void {
    this.#attempts.delete(peer);
    const retry = this.#retries.get(peer);
    if (retry !== undefined) {
      this.#scheduler.clearTimeout(retry);
      this.#retries.delete(peer);
    }
    const link = this.#links.get(peer);
    // An open link outlives signaling (the heartbeat or a Bye ends it); a half-made one cannot.
    if (link && link.phase === 'connecting') void link.close(CloseReason.Left, 'silent');
    if (!link || link.phase === 'connecting') {
      this.#waiters.settle(
        peer,
        new TransportError('E_PEER_LEFT', `${peer} left the room before a link was made`),
      );
    }
  }

  /**
   * A link closed before it opened. Not a failure when the peer left or replaced it. Otherwise
   * the offerer retries with fresh connections (up to `connectAttempts`) and the answerer asks
   * it to; only the end of the line is reported, by the offerer: an `error` event and rejected
   * waiters. Malformed input from the peer is never retried.
   */
  #setupFailed(link: PeerLink, reason: string, error: Error | undefined): void {
    const { peer, attempt } = link;
    if (reason === CloseReason.Left || reason === CloseReason.Replaced) return;
    const failure = error ?? new TransportError('E_NOT_CONNECTED', `link to ${peer} closed (${reason})`);
    if (!(error instanceof BadPacketError)) {
      if (link.offerer) {
        const attempts = this.#options.connectAttempts;
        if (attempt < attempts && this.#wantsLink(peer) && this.#room.peers().includes(peer)) {
          this.#emitWebRtc('attempt-failed', { peer, attempt, error: failure, retrying: true });
          this.#retry(peer, attempt + 1);
          return;
        }
      } else if (attempt > 0) {
        // The offerer drives retries and reports the final failure; an answerer link that never
        // saw an offer (attempt 0) has nobody else to report its timeout.
        this.#emitWebRtc('attempt-failed', { peer, attempt, error: failure, retrying: true });
        this.#context.signal(peer, { t: 'retry', n: attempt });
        return;
      }
    }
    this.#emitWebRtc('attempt-failed', { peer, attempt, error: failure, retrying: false });
    this.#emit('error', { peer, error: failure });
    this.#waiters.settle(peer, failure);
  }

  /** Starts attempt `attempt` to `peer` after a short backoff, if it is still wanted then. */
  #retry(peer: PeerId, attempt: number): void {
    const timer = this.#scheduler.setTimeout(() => {
      this.#retries.delete(peer);
      if (this.#closed || this.#links.has(peer) || !this.#wantsLink(peer)) return;
      if (!this.#room.peers().includes(peer)) return;
      this.#startLink(peer, true, attempt);
    }, RETRY_DELAY_MS * attempt);
    this.#retries.set(peer, timer);
  }

  #hostChanged(host: PeerId): void {
    // Re-emitted only: the session runs its own election (mesh), or ends (star, whose clients
    // have no links to each other). Links are never rearranged behind the session's back.
    this.#emitWebRtc('host-changed', { host });
  }

  #signal(from: PeerId, payload: unknown): void {
    if (this.#closed) return;
    let message: SignalMessage;
    try {
      message = parseSignal(payload);
    } catch (error) {
      this.#emit('error', { peer: from, error: error as Error });
      return;
    }
    const link = this.#links.get(from);
    if (message.t === 'retry') {
      this.#retryRequested(from, message.n, link);
      return;
    }
    if (message.t === 'sdp' && message.type === 'offer') {
      this.#offer(from, message, link);
      return;
    }
    // Answers and candidates belong to the current attempt; leftovers of another are ignored.
    if (link && link.attempt === message.n) this.#handle(link, message);
  }

  /**
   * The answerer's side of attempt `n` died before it was of use. If that is still our latest
   * attempt, start over now rather than at our own timeout: the link still trying is failed (and
   * so retried), or, if it already closed under us, a new attempt starts.
   */
  #retryRequested(from: PeerId, n: number, link: PeerLink | undefined): void {
    if (!this.#offersTo(from) || this.#attempts.get(from) !== n) return;
    const failure = new TransportError('E_TRANSPORT', `${from} could not complete connection attempt ${n}`);
    if (link) {
      if (link.phase === 'connecting') void link.close(CloseReason.Failed, 'silent', failure);
      return;
    }
    if (this.#retries.has(from)) return;
    if (n < this.#options.connectAttempts && this.#wantsLink(from) && this.#room.peers().includes(from)) {
      this.#retry(from, n + 1);
    }
  }

  /** An offer: starts (or restarts, for a newer attempt) the answering side of a link. */
  #offer(from: PeerId, message: SignalMessage & { t: 'sdp' }, existing: PeerLink | undefined): void {
    if (!this.#wantsLink(from)) {
      this.#emit('error', {
        peer: from,
        error: new TransportError(
          'E_REFUSED',
          `offer from ${from} refused: a star client links only to the host`,
        ),
      });
      return;
    }
    if (!existing && this.#offersTo(from)) {
      this.#emit('error', {
        peer: from,
        error: new BadPacketError(`unexpected SDP offer from ${from} (this side offers)`),
      });
      return;
    }
    let link = existing;
    if (link && !link.offerer) {
      const waiting = link.attempt === 0 && link.awaitingRemote;
      if (message.n < link.attempt) return; // a stale offer, overtaken by a newer attempt
      if (message.n > link.attempt && !waiting) {
        void link.close(CloseReason.Replaced, 'silent');
        link = undefined;
      }
    }
    link ??= this.#startLink(from, false, message.n);
    link.adopt(message.n);
    // An offer to the offerer side is refused by the link itself (glare cannot happen by rule).
    this.#handle(link, message);
  }

  /** Hands a message to its link; whatever goes wrong there is an `error` event, never a rejection. */
  #handle(link: PeerLink, message: SignalMessage): void {
    link.handleSignal(message).catch((error: unknown) => {
      this.#emit('error', {
        peer: link.peer,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    });
  }

  #linkContext(rtc: RtcDriver, layout: readonly ChannelConfig[]): LinkContext {
    const state = (peer: PeerId, kind: 'connection' | 'gathering' | 'signaling', value: string) => {
      this.#emitWebRtc(`${kind}-state`, { peer, state: value } as never);
    };
    return {
      driver: rtc,
      options: this.#options,
      layout,
      writer: new FrameWriter(),
      scheduler: this.#scheduler,
      signal: (peer, message) => {
        if (this.#closed) return;
        try {
          this.#room.send(peer, message);
        } catch (error) {
          this.#emit('error', { peer, error: error as Error });
        }
      },
      opened: (link) => {
        this.#open.set(link.peer, link);
        this.#peerList = undefined;
        this.#emit('peer-connected', { peer: link.peer });
        this.#waiters.settle(link.peer, undefined);
      },
      closed: (link, reason, wasOpen, error) => {
        if (this.#links.get(link.peer) === link) this.#links.delete(link.peer);
        if (this.#open.get(link.peer) === link) {
          this.#open.delete(link.peer);
          this.#peerList = undefined;
        }
        if (wasOpen) {
          if (error) this.#emit('error', { peer: link.peer, error });
          this.#emit('peer-disconnected', { peer: link.peer, reason });
          // Closed under us without a Bye: the peer's side may never have come up (seen under
          // heavy load). If its attempt is still trying, this makes it start over now.
          if (reason === CloseReason.Gone && !link.offerer && !this.#closed) {
            this.#context.signal(link.peer, { t: 'retry', n: link.attempt });
          }
        } else if (!this.#closed) this.#setupFailed(link, reason, error);
      },
      message: (peer, channel, data) => {
        if (this.#silent) return;
        try {
          this.events.emit('message', { peer, channel, data });
        } catch (error) {
          // The application's handler threw: its problem, not the link's.
          this.#emit('error', { peer, error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
      error: (peer, error) => this.#emit('error', { peer, error }),
      state: state as LinkContext['state'],
    };
  }

  #emit<K extends keyof TransportEvents>(type: K, event: TransportEvents[K]): void {
    if (this.#silent) return;
    this.events.emit(type, event);
  }

  #emitWebRtc<K extends keyof WebRtcEvents>(type: K, event: WebRtcEvents[K]): void {
    if (this.#silent) return;
    this.webrtcEvents.emit(type, event);
  }

  #listen<K extends keyof SignalingEvents>(type: K, handler: (event: SignalingEvents[K]) => void): void {
    const guarded = (event: SignalingEvents[K]) => {
      if (!this.#closed) handler(event);
    };
    this.#room.events.on(type, guarded);
    this.#unsubscribe.push(() => this.#room.events.off(type, guarded));
  }
}
