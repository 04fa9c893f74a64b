import {
  type ChannelConfig,
  createEmitter,
  type Emitter,
  type PeerId,
  type PeerStats,
  realScheduler,
  type Scheduler,
  type Transport,
  TransportError,
  type TransportEvents,
} from '@meshplay/core';
import type { SignalingAdapter, SignalingEvents, SignalingRoom } from '@meshplay/signaling';
import { driver } from '#driver';
import { CloseReason } from './close-reason.js';
import { ConnectAttempts } from './connect-attempts.js';
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
import { SignalRouter } from './signal-router.js';

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
  readonly #attempts: ConnectAttempts;
  readonly #router: SignalRouter;
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
    const transport = this;
    this.#attempts = new ConnectAttempts({
      scheduler,
      maxAttempts: options.connectAttempts,
      get closed() {
        return transport.#closed;
      },
      hasLink: (peer) => this.#links.has(peer),
      reachable: (peer) => this.#wantsLink(peer) && this.#room.peers().includes(peer),
      start: (peer, attempt) => void this.#startLink(peer, true, attempt),
      signal: (peer, message) => this.#context.signal(peer, message),
      attemptFailed: (event) => this.#emitWebRtc('attempt-failed', event),
      failed: (peer, error) => {
        this.#emit('error', { peer, error });
        this.#waiters.settle(peer, error);
      },
    });
    this.#router = new SignalRouter({
      get closed() {
        return transport.#closed;
      },
      attempts: this.#attempts,
      link: (peer) => this.#links.get(peer),
      wantsLink: (peer) => this.#wantsLink(peer),
      offersTo: (peer) => this.#offersTo(peer),
      answer: (peer, attempt) => this.#startLink(peer, false, attempt),
      error: (peer, error) => this.#emit('error', { peer, error }),
    });
    this.#heartbeat = new HeartbeatClock(scheduler, options.heartbeatIntervalMs, (now, stalled) => {
      for (const link of this.#open.values()) link.tick(now, stalled);
    });
    this.#listen('peer-joined', ({ peer }) => this.#ensureLink(peer));
    this.#listen('peer-left', ({ peer }) => this.#peerLeft(peer));
    this.#listen('signal', ({ from, payload }) => this.#router.route(from, payload));
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
    this.#attempts.stop();
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
    if (this.#closed || !this.#wantsLink(peer) || this.#links.has(peer) || this.#attempts.retrying(peer)) {
      return;
    }
    // An answerer's link waits for the offer (attempt 0 until it arrives); its connect timer runs.
    this.#startLink(peer, this.#offersTo(peer), this.#offersTo(peer) ? 1 : 0);
  }

  #startLink(peer: PeerId, offerer: boolean, attempt: number): PeerLink {
    if (offerer) this.#attempts.offered(peer, attempt);
    const link = new PeerLink(this.#context, peer, offerer, attempt);
    this.#links.set(peer, link);
    return link;
  }

  #peerLeft(peer: PeerId): void {
    this.#attempts.forget(peer);
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

  #hostChanged(host: PeerId): void {
    // Re-emitted only: the session runs its own election (mesh), or ends (star, whose clients
    // have no links to each other). Links are never rearranged behind the session's back.
    this.#emitWebRtc('host-changed', { host });
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
        } else if (!this.#closed) this.#attempts.setupFailed(link, reason, error);
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
