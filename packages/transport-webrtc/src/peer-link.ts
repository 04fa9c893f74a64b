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
import { CloseReason } from './close-reason.js';
import type { ConnectionState, DriverPeer, GatheringState, RtcDriver, SignalingState } from './driver.js';
import {
  type Bye,
  byeFrame,
  FrameKind,
  type FrameWriter,
  readBye,
  readTimestamp,
  timeFrame,
} from './framing.js';
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
 * Longest a graceful close waits for the peer to close in answer to its `Bye` (time for what was
 * sent before to arrive), and a peer waits for those frames after the `Bye`.
 */
const BYE_GRACE_MS = 5000;
/** The same wait after an aborted link (a failure here), whose peer may well be gone. */
const ABORT_GRACE_MS = 500;
/** Datagrams that arrived on an open channel before every channel was open, up to this many bytes. */
const MAX_EARLY_BYTES = 1024 * 1024;

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
  #early: { channel: number; data: Uint8Array }[] = [];
  #earlyBytes = 0;
  #queuedBytes = 0;
  #connectTimer: TimerHandle | undefined;
  #closing: Promise<void> | undefined;
  #byeWait: Bye | undefined;
  #byeTimer: TimerHandle | undefined;
  #onPeerClosed: (() => void) | undefined;

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
    const { options } = ctx;
    this.#pc = ctx.driver.createPeer(
      {
        iceServers: options.iceServers,
        label: `meshplay:${peer}`,
        ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
        ...(options.sctpSendBufferBytes === undefined
          ? {}
          : { sctpSendBufferBytes: options.sctpSendBufferBytes }),
      },
      {
        localDescription: (type, sdp) => this.#negotiation.localDescription(type, sdp),
        localCandidate: (candidate, mid) => this.#negotiation.localCandidate(candidate, mid),
        connectionState: (state) => this.#connectionState(state),
        gatheringState: (state) => this.phase !== 'closed' && ctx.state(peer, 'gathering', state),
        signalingState: (state) => this.phase !== 'closed' && ctx.state(peer, 'signaling', state),
        handlerError: (error) => ctx.error(peer, asError(error)),
      },
    );
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
      const dc = this.#pc.createChannel(
        {
          id: index,
          label: config.label ?? `channel-${index}`,
          ordered: config.ordered,
          ...(config.maxRetransmits === undefined ? {} : { maxRetransmits: config.maxRetransmits }),
          ...(config.maxPacketLifeTime === undefined ? {} : { maxPacketLifeTime: config.maxPacketLifeTime }),
          ...(config.protocol === undefined ? {} : { protocol: config.protocol }),
        },
        {
          open: () => this.#channelOpen(),
          message: (data) => this.#receive(channel as LinkChannel, data),
          closed: () => this.#remoteClosed(),
          error: (message) =>
            ctx.error(peer, new TransportError('E_TRANSPORT', `channel ${index} to ${peer}: ${message}`)),
          bufferedAmountLow: () => channel?.drain(),
        },
      );
      channel = new LinkChannel(index, config, dc, this, options);
      this.#channels.push(channel);
    });
    this.#connectTimer = ctx.scheduler.setTimeout(() => this.#connectTimeout(), options.connectTimeoutMs);
    if (offerer) {
      this.#pc.createOffer().catch((error) =>
        this.#fail(
          new TransportError('E_TRANSPORT', `could not create an offer: ${errorText(error)}`, {
            cause: error,
          }),
        ),
      );
    }
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
   * {@link BYE_GRACE_MS}): closing at once would abort what the stack still holds. The transport
   * hears `closed` before this returns; the promise settles once native resources are released.
   */
  close(reason: string, how: 'graceful' | 'abort' | 'silent', error?: Error): Promise<void> {
    if (this.#closing) return this.#closing;
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    if (this.#connectTimer !== undefined) this.#ctx.scheduler.clearTimeout(this.#connectTimer);
    if (this.#byeTimer !== undefined) this.#ctx.scheduler.clearTimeout(this.#byeTimer);
    this.#byeWait = undefined;
    for (const channel of this.#channels) {
      if (how === 'graceful' && wasOpen) channel.flushAll();
      else channel.discard();
    }
    this.#early = [];
    const reliable = this.#channels[Channel.Reliable];
    if (how !== 'silent' && wasOpen && reliable) {
      const sent = new Map<number, number>();
      for (const channel of this.#channels) if (channel.reliable) sent.set(channel.index, channel.framesSent);
      reliable.sendControl(byeFrame({ reason, sent }));
      this.#closing = this.#peerClosed(how === 'graceful' ? BYE_GRACE_MS : ABORT_GRACE_MS).then(() =>
        this.#pc.close(),
      );
    } else {
      this.#closing = this.#pc.close();
    }
    this.#ctx.closed(this, reason, wasOpen, error);
    return this.#closing;
  }

  /**
   * The peer said `Bye`: close once every reliable frame it sent before has arrived (they may
   * trail the `Bye` on other streams), or after {@link BYE_GRACE_MS} at the latest.
   */
  #byeReceived(bye: Bye): void {
    if (this.#byeWait) return;
    this.#byeWait = bye;
    this.#byeTimer = this.#ctx.scheduler.setTimeout(() => {
      void this.close(bye.reason || CloseReason.Gone, 'silent');
    }, BYE_GRACE_MS);
    this.#checkBye();
  }

  #checkBye(): void {
    const bye = this.#byeWait;
    if (!bye) return;
    for (const [index, frames] of bye.sent) {
      const channel = this.#channels[index];
      if (channel?.reliable && channel.framesReceived < frames) return;
    }
    void this.close(bye.reason || CloseReason.Gone, 'silent');
  }

  /** Resolves when the peer closes (or says `Bye` itself), or after `graceMs`. */
  #peerClosed(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#ctx.scheduler.setTimeout(() => done(), graceMs);
      const done = () => {
        this.#ctx.scheduler.clearTimeout(timer);
        this.#onPeerClosed = undefined;
        resolve();
      };
      this.#onPeerClosed = done;
    });
  }

  /** A channel closed, or the connection did: the peer is gone (or answered our `Bye`). */
  #remoteClosed(): void {
    if (this.phase === 'closed') this.#onPeerClosed?.();
    else if (this.phase === 'open') void this.close(this.#byeWait?.reason || CloseReason.Gone, 'silent');
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
    this.#earlyBytes += data.length;
    if (this.#earlyBytes > MAX_EARLY_BYTES) throw new BadPacketError('too much data before the link opened');
    this.#early.push({ channel, data });
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
        this.#byeReceived(bye);
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
      if (data[0] === FrameKind.Bye) this.#onPeerClosed?.();
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
    if (this.#byeWait) this.#checkBye();
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
    const early = this.#early;
    this.#early = [];
    this.#earlyBytes = 0;
    for (const { channel, data } of early) {
      if (this.phase !== 'open') return;
      this.#ctx.message(this.peer, channel, data);
    }
  }

  #connectionState(state: ConnectionState): void {
    if (this.phase === 'closed') {
      if (state === 'closed' || state === 'failed' || state === 'disconnected') this.#onPeerClosed?.();
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
