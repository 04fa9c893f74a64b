import {
  BadPacketError,
  Channel,
  type ChannelConfig,
  MeshplayError,
  type PeerId,
  type PeerStats,
  type Scheduler,
  type TimerHandle,
  TransportError,
} from '@meshplay/core';
import { ByeHandshake } from './bye-handshake.js';
import { CloseReason } from './close-reason.js';
import type { ConnectionState, DriverPeer, GatheringState, RtcDriver, SignalingState } from './driver.js';
import { channelInit, peerConfig } from './driver-config.js';
import { EarlyData } from './early-data.js';
import { FrameKind, type FrameWriter, readBye, readTimestamp, timeFrame } from './framing.js';
import { Liveness } from './heartbeat.js';
import { type ChannelOwner, LinkChannel } from './link-channel.js';
import { Negotiation } from './negotiation.js';
import type { ResolvedOptions } from './options.js';
import type { SignalMessage } from './signal-messages.js';
import { peerStats } from './stats.js';

/** Where a link stands. */
export type LinkPhase = 'connecting' | 'open' | 'closed';

/** What a {@link PeerLink} reports to, and needs from, its transport. */
export interface LinkContext {
  readonly driver: RtcDriver;
  readonly options: ResolvedOptions;
  readonly layout: readonly ChannelConfig[];
  readonly writer: FrameWriter;
  readonly scheduler: Scheduler;
  signal(peer: PeerId, message: SignalMessage): void;
  opened(link: PeerLink): void;
  /** The link closed; `error` says why when it failed (the transport decides whether to report or retry). */
  closed(link: PeerLink, reason: string, wasOpen: boolean, error: Error | undefined): void;
  message(peer: PeerId, channel: number, data: Uint8Array): void;
  error(peer: PeerId, error: Error): void;
  state(peer: PeerId, kind: 'connection', state: ConnectionState): void;
  state(peer: PeerId, kind: 'gathering', state: GatheringState): void;
  state(peer: PeerId, kind: 'signaling', state: SignalingState): void;
}

/**
 * The link to one peer: a peer connection, its negotiated channels, the offer/answer exchange
 * (this side offers iff `offerer`, decided per pair by the transport so there is never glare),
 * liveness, and a single way down ({@link PeerLink.close}) whatever the cause.
 */
export class PeerLink implements ChannelOwner {
  phase: LinkPhase = 'connecting';
  readonly liveness: Liveness;
  readonly writer: FrameWriter;
  readonly #ctx: LinkContext;
  readonly #pc: DriverPeer;
  readonly #channels: LinkChannel[] = [];
  readonly #negotiation: Negotiation;
  #openChannels = 0;
  readonly #early = new EarlyData();
  #queuedBytes = 0;
  #connectTimer: TimerHandle | undefined;
  #closing: Promise<void> | undefined;
  readonly #bye: ByeHandshake;

  /**
   * @param offerer whether this side offers (the transport decides per pair)
   * @param attempt the connection attempt this link is (numbered by the offerer; 0 for an
   *   answerer link still waiting for the offer, which then {@link PeerLink.adopt}s its number)
   */
  constructor(
    ctx: LinkContext,
    readonly peer: PeerId,
    readonly offerer: boolean,
    public attempt: number,
  ) {
    this.#ctx = ctx;
    this.writer = ctx.writer;
    this.liveness = new Liveness(ctx.scheduler.now());
    this.#bye = new ByeHandshake(
      ctx.scheduler,
      this.#channels,
      (reason) => void this.close(reason, 'silent'),
    );
    const { options } = ctx;
    this.#pc = ctx.driver.createPeer(peerConfig(options, peer), {
      localDescription: (type, sdp) => this.#negotiation.localDescription(type, sdp),
      localCandidate: (candidate, mid) => this.#negotiation.localCandidate(candidate, mid),
      connectionState: (state) => this.#connectionState(state),
      gatheringState: (state) => this.phase !== 'closed' && ctx.state(peer, 'gathering', state),
      signalingState: (state) => this.phase !== 'closed' && ctx.state(peer, 'signaling', state),
      handlerError: (error) => ctx.error(peer, asError(error)),
    });
    const link = this;
    this.#negotiation = new Negotiation(
      {
        peer,
        offerer,
        get attempt() {
          return link.attempt;
        },
        get closed() {
          return link.phase === 'closed';
        },
        signal: (message) => ctx.signal(peer, message),
        refused: (error) => ctx.error(peer, error),
        fail: (error) => this.#fail(error),
      },
      this.#pc,
    );
    ctx.layout.forEach((config, index) => {
      let channel: LinkChannel | undefined;
      const dc = this.#pc.createChannel(channelInit(config, index), {
        open: () => this.#channelOpen(),
        message: (data) => this.#receive(channel as LinkChannel, data),
        closed: () => this.#remoteClosed(),
        error: (message) =>
          ctx.error(peer, new TransportError('E_TRANSPORT', `channel ${index} to ${peer}: ${message}`)),
        bufferedAmountLow: () => channel?.drain(),
      });
      channel = new LinkChannel(index, config, dc, this, options);
      this.#channels.push(channel);
    });
    this.#connectTimer = ctx.scheduler.setTimeout(() => this.#connectTimeout(), options.connectTimeoutMs);
    if (offerer) this.#negotiation.offer();
  }

  /** The connection's state now. */
  connectionState(): ConnectionState {
    return this.#pc.connectionState();
  }

  gatheringState(): GatheringState {
    return this.#pc.gatheringState();
  }

  signalingState(): SignalingState {
    return this.#pc.signalingState();
  }

  /** Largest datagram an unreliable channel carries (reliable ones fragment above it). */
  maxUnfragmented(): number {
    return (this.#channels[0]?.maxFrame ?? 0) - 1;
  }

  /** Sends one session datagram; false when dropped (counted). */
  send(channel: number, data: Uint8Array): boolean {
    return (this.#channels[channel] as LinkChannel).send(data);
  }

  /** An answerer link made before the offer came takes the offer's attempt number. */
  adopt(attempt: number): void {
    if (this.attempt === 0) this.attempt = attempt;
  }

  /** Whether this link still waits for the peer's description (so an offer may start it). */
  get awaitingRemote(): boolean {
    return this.#negotiation.awaitingRemote;
  }

  /**
   * Takes a signaling message of this link's attempt from the peer. Bad ones become `error`
   * events (or fail the link), never throws.
   */
  handleSignal(message: SignalMessage): Promise<void> {
    return this.#negotiation.handle(message);
  }

  /** One heartbeat: ping, reclaim queue space, and close the link if the peer went silent. */
  tick(now: number, stalled: boolean): void {
    if (this.phase !== 'open') return;
    if (this.liveness.silent(now, this.#ctx.options.heartbeatTimeoutMs, stalled)) {
      void this.close(CloseReason.Timeout, 'abort');
      return;
    }
    this.#channels[Channel.Unreliable]?.sendControl(timeFrame(FrameKind.Ping, now));
    for (const channel of this.#channels) if (channel.reliable) channel.drain();
  }

  /** Counters for `stats()`. */
  stats(): PeerStats {
    return peerStats(this.#channels, this.liveness.rttMs);
  }

  /**
   * Takes the link down (idempotent), however it went:
   * - `graceful` (`disconnect()`, `close()`): what was handed to `send` on reliable channels is
   *   handed to the stack now, then a `Bye` tells the peer the reason and how many frames each
   *   reliable channel carried, so it reports the close only after the last of them;
   * - `abort` (a failure here): queued data is dropped; the `Bye` still tells the peer why;
   * - `silent`: the peer is gone or already said `Bye`.
   *
   * After a `Bye` the connection stays up until the peer closes in answer (at most
   * `BYE_GRACE_MS`, see {@link ByeHandshake}): closing at once would abort what the stack still
   * holds. The transport hears `closed` before this returns; the promise settles once native
   * resources are released.
   */
  close(reason: string, how: 'graceful' | 'abort' | 'silent', error?: Error): Promise<void> {
    if (this.#closing) return this.#closing;
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    if (this.#connectTimer !== undefined) this.#ctx.scheduler.clearTimeout(this.#connectTimer);
    this.#bye.cancel();
    for (const channel of this.#channels) {
      if (how === 'graceful' && wasOpen) channel.flushAll();
      else channel.discard();
    }
    this.#early.clear();
    const reliable = this.#channels[Channel.Reliable];
    if (how !== 'silent' && wasOpen && reliable) {
      this.#closing = this.#bye.send(reliable, reason, how === 'graceful').then(() => this.#pc.close());
    } else {
      this.#closing = this.#pc.close();
    }
    this.#ctx.closed(this, reason, wasOpen, error);
    return this.#closing;
  }

  /** A channel closed, or the connection did: the peer is gone (or answered our `Bye`). */
  #remoteClosed(): void {
    if (this.phase === 'closed') this.#bye.peerClosed();
    else if (this.phase === 'open') void this.close(this.#bye.reason, 'silent');
    else
      this.#fail(
        new TransportError(
          'E_TRANSPORT',
          `connection to ${this.peer} closed during setup${this.#attemptText()}`,
        ),
      );
  }

  #attemptText(): string {
    const max = this.#ctx.options.connectAttempts;
    return max > 1 && this.attempt > 0 ? ` (attempt ${this.attempt} of ${max})` : '';
  }

  // ChannelOwner ---------------------------------------------------------------------------------

  reserve(bytes: number): boolean {
    if (this.#queuedBytes + bytes > this.#ctx.options.maxQueuedBytes) {
      this.#fail(
        new TransportError(
          'E_TRANSPORT',
          `more than ${this.#ctx.options.maxQueuedBytes} bytes waiting to reach ${this.peer}: dropping the link`,
        ),
      );
      return false;
    }
    this.#queuedBytes += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#queuedBytes -= bytes;
  }

  deliver(channel: number, data: Uint8Array): void {
    if (this.phase === 'open') {
      this.#ctx.message(this.peer, channel, data);
      return;
    }
    // Open channels may carry data before the last one opens; hold it until `peer-connected`.
    this.#early.hold(channel, data);
  }

  control(channel: number, frame: Uint8Array): void {
    switch (frame[0]) {
      case FrameKind.Ping: {
        const sentAt = readTimestamp(frame);
        if (sentAt === undefined) throw new BadPacketError('malformed ping');
        this.#channels[channel]?.sendControl(timeFrame(FrameKind.Pong, sentAt));
        return;
      }
      case FrameKind.Pong: {
        const sentAt = readTimestamp(frame);
        if (sentAt === undefined) throw new BadPacketError('malformed pong');
        this.liveness.sample(this.#ctx.scheduler.now() - sentAt);
        return;
      }
      case FrameKind.Bye: {
        const bye = readBye(frame);
        if (!bye) throw new BadPacketError('malformed bye');
        this.#bye.received(bye);
        return;
      }
      default:
        throw new BadPacketError(`unknown frame kind ${frame[0]} on channel ${channel}`);
    }
  }

  // Internals ------------------------------------------------------------------------------------

  #receive(channel: LinkChannel, data: Uint8Array): void {
    if (this.phase === 'closed') {
      // Both ends closing at once: the peer's `Bye` answers ours.
      if (data[0] === FrameKind.Bye) this.#bye.peerClosed();
      return;
    }
    this.liveness.heard = true;
    try {
      channel.receive(data);
    } catch (error) {
      if (error instanceof BadPacketError) {
        this.#fail(
          new BadPacketError(`${this.peer} sent a bad datagram: ${error.message}`, { cause: error }),
        );
      } else {
        // A session handler threw while we delivered: the link is fine, the application hears it.
        this.#ctx.error(this.peer, asError(error));
      }
    }
    this.#bye.check();
  }

  #channelOpen(): void {
    if (this.phase !== 'connecting') return;
    this.#openChannels++;
    if (this.#openChannels < this.#channels.length) return;
    const maxFrame = this.#pc.maxMessageSize();
    for (const channel of this.#channels) channel.maxFrame = maxFrame;
    this.phase = 'open';
    if (this.#connectTimer !== undefined) this.#ctx.scheduler.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
    this.liveness.heard = true;
    this.#ctx.opened(this);
    for (const { channel, data } of this.#early.take()) {
      if (this.phase !== 'open') return;
      this.#ctx.message(this.peer, channel, data);
    }
  }

  #connectionState(state: ConnectionState): void {
    if (this.phase === 'closed') {
      if (state === 'closed' || state === 'failed' || state === 'disconnected') this.#bye.peerClosed();
      return;
    }
    this.#ctx.state(this.peer, 'connection', state);
    // `disconnected` may recover and the heartbeat judges it; `failed` is final (no ICE restart).
    if (state === 'failed') {
      if (this.phase === 'connecting') {
        this.#fail(
          new TransportError(
            'E_TRANSPORT',
            `connection to ${this.peer} failed during setup (ICE or DTLS)${this.#attemptText()}`,
          ),
        );
      } else {
        void this.close(CloseReason.Failed, 'silent');
      }
    } else if (state === 'closed') {
      this.#remoteClosed();
    }
  }

  #connectTimeout(): void {
    if (this.phase !== 'connecting') return;
    this.#fail(
      new TransportError(
        'E_TIMEOUT',
        `could not connect to ${this.peer} within ${this.#ctx.options.connectTimeoutMs} ms${this.#attemptText()} ` +
          `(connection ${this.connectionState()}, ICE gathering ${this.gatheringState()}, signaling ${this.signalingState()}, ` +
          `${this.#openChannels}/${this.#channels.length} channels open)`,
      ),
    );
  }

  /** Closes the link because of `error`, telling the peer `reason` when it was open. */
  #fail(
    error: Error,
    reason: string = error instanceof MeshplayError ? error.code : CloseReason.Failed,
  ): void {
    if (this.phase === 'closed') return;
    void this.close(reason, 'abort', error);
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
