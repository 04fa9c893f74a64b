import { createEmitter, type Emitter } from '../emitter.js';
import {
  BadPacketError,
  ErrorCode,
  type ErrorCodeName,
  MeshplayError,
  SessionError,
  TransportError,
} from '../errors.js';
import type { PeerId } from '../ids.js';
import { makeCaller, makeRequester } from '../rpc/callers.js';
import type { NodeRegistry, RpcNode } from '../rpc/registry.js';
import { NodeRegistry as Registry } from '../rpc/registry.js';
import type { Destination } from '../rpc/rpc-layer.js';
import { RpcLayer } from '../rpc/rpc-layer.js';
import type { CallTarget, RequestTarget, RpcCaller, RpcRequester } from '../rpc/types.js';
import type { Scheduler } from '../scheduler.js';
import { Channel } from '../transport/channels.js';
import type { Transport } from '../transport/transport.js';
import { writePing, writeRaw, writeReason } from '../wire/encode.js';
import type { Frame } from '../wire/frames.js';
import { Kind } from '../wire/kinds.js';
import { ByteWriter } from '../wire/writer.js';
import type { LeaveCode, SessionEvents } from './events.js';
import { Inbox } from './inbox.js';
import type { Link } from './links.js';
import { Links } from './links.js';
import { Membership } from './membership.js';
import { type ResolvedOptions, resolveOptions, type SessionOptions, type Topology } from './options.js';
import { Outbox } from './outbox.js';
import type { SessionPlugin } from './plugin.js';
import { pluginIO, rpcPort } from './ports.js';
import { Router } from './router.js';
import { Services } from './services.js';

/** Schedules the end-of-task flush (`queueMicrotask` costs Node an async resource per call). */
const RESOLVED = Promise.resolve();

/** Grace period between telling a peer why it is dropped and closing its link. */
const CLOSE_GRACE_MS = 200;

/**
 * A multiplayer session over one {@link Transport}: membership (host, clients, compact indices),
 * the join handshake with version check and auth, heartbeats, relay through the host in star
 * topology, batching, decorated RPC and raw bytes. One per peer.
 *
 * ```ts
 * const session = new Session({ transport, role: 'client' });
 * const chat = session.register('chat', new Chat());
 * await session.ready();
 * session.rpc(chat).say('hello');
 * ```
 */
export class Session {
  /** Typed events (mitt). */
  readonly events: Emitter<SessionEvents> = createEmitter<SessionEvents>();
  readonly transport: Transport;
  readonly topology: Topology;
  /** Host: refuse every new peer (existing members stay). */
  refuseNewPeers = false;

  /** @internal */ readonly options: ResolvedOptions;
  /** @internal */ readonly links: Links;
  /** @internal */ readonly outbox: Outbox;
  /** @internal */ readonly registry: NodeRegistry = new Registry();
  /** @internal */ readonly rpcLayer: RpcLayer;
  /** @internal */ readonly membership: Membership;
  /** @internal */ readonly router: Router;
  /** @internal */ readonly services: Services;
  /** @internal */ readonly inbox: Inbox = new Inbox(this);
  /** @internal */ readonly scratch = new ByteWriter();
  /** @internal */ readonly plugins: SessionPlugin[] = [];
  readonly #pluginKinds = new Map<number, SessionPlugin>();
  #closed = false;
  /** The end-of-task flush, bound once. */
  readonly #autoFlush = (): void => void (this.#closed || this.outbox.flush());

  constructor(options: SessionOptions) {
    this.options = resolveOptions(options);
    this.transport = options.transport;
    this.topology = this.options.topology;
    const scheduler = this.options.scheduler;
    this.links = new Links(scheduler);
    this.outbox = new Outbox(
      this.transport,
      () => void RESOLVED.then(this.#autoFlush),
      this.options.autoFlush,
      (error) => this.emit('error', { error: asTransportError(error) }),
      this.options.reliableBatchBytes,
    );
    this.membership = new Membership(this);
    this.router = new Router(this);
    this.services = new Services(this);
    this.rpcLayer = new RpcLayer(rpcPort(this), this.registry);
    const { events } = this.transport;
    events.on('peer-connected', this.#onConnected);
    events.on('peer-disconnected', this.#onDisconnected);
    events.on('message', this.#onMessage);
    this.links.start(
      this.options.heartbeatIntervalMs,
      this.options.heartbeatTimeoutMs,
      (link) => this.#sendPing(link),
      (link) => this.#linkDead(link),
    );
    for (const peer of this.transport.peers()) this.#onConnected({ peer });
    this.membership.start();
  }

  /** This peer's id. */
  get id(): PeerId {
    return this.transport.localId;
  }

  /** `'host'` or `'client'` (changes when a mesh elects this peer after the host left). */
  get role(): 'host' | 'client' {
    return this.membership.role;
  }

  /** Whether this peer is the host now. */
  get isHost(): boolean {
    return this.membership.role === 'host';
  }

  /** The host's id, once known. */
  get hostId(): PeerId | undefined {
    return this.membership.hostId;
  }

  /** True from `connected` until `disconnected`. */
  get connected(): boolean {
    return this.membership.state === 'connected';
  }

  /** Resolves once this session is in (immediately on the host); rejects with the refusal. */
  ready(): Promise<void> {
    return this.membership.ready;
  }

  /** The other members, in join order. */
  peers(): PeerId[] {
    return this.membership.table
      .members()
      .map((member) => member.id)
      .filter((id) => id !== this.id);
  }

  /** A member's compact wire index (what relayed messages carry instead of its id). */
  indexOf(peer: PeerId): number | undefined {
    return this.membership.table.byId(peer)?.index;
  }

  /** Heartbeat round trip to a directly linked peer, in ms. */
  rtt(peer: PeerId): number | undefined {
    return this.links.get(peer)?.rttMs;
  }

  /** While an RPC handler runs (its synchronous part): the peer that called it. */
  get remoteSender(): PeerId | undefined {
    return this.rpcLayer.currentSender;
  }

  /**
   * Registers a service: an object whose `@rpc` methods every member can address by `name`. The
   * host assigns it a wire id; peers register the same services under the same names.
   */
  register<T extends object>(name: string, service: T): T {
    return this.services.register(name, service);
  }

  /** Fire-and-forget call site: `session.rpc(chat, { to: peer }).say('hi')`. Default target: everyone. */
  rpc<T extends object>(target: T, to: CallTarget = {}): RpcCaller<T> {
    return makeCaller(this, this.#node(target), this.#destination(to));
  }

  /** Request call site: `await session.request(game, { to: 'host' }).score()`. */
  request<T extends object>(target: T, to: RequestTarget): RpcRequester<T> {
    const node = this.#node(target);
    const peer = to.to === 'host' ? this.#requireHost() : to.to;
    return makeRequester(this, node, peer, to.timeout ?? this.options.requestTimeoutMs, to.signal);
  }

  /** Sends application bytes (received as the `bytes` event). Default target: everyone. */
  sendBytes(data: Uint8Array, to: CallTarget & { channel?: number } = {}): void {
    this.router.send(this.#destination(to), to.channel ?? Channel.Reliable, (w, route) =>
      writeRaw(w, route, data),
    );
  }

  /** Host: removes a member, telling it why. */
  kick(peer: PeerId, reason = 'kicked by the host'): void {
    if (!this.isHost) throw new SessionError('E_UNAUTHORIZED_RPC', 'only the host may kick');
    this.membership.kick(peer, reason);
  }

  /** Adds a plugin (the replication layer) that owns some plugin message kinds. */
  use(plugin: SessionPlugin): void {
    for (const kind of plugin.kinds) {
      if (kind < Kind.FirstPlugin || kind > Kind.LastPlugin || this.#pluginKinds.has(kind)) {
        throw new SessionError('E_INVALID_CONFIG', `plugin kind ${kind} is not free`);
      }
    }
    for (const kind of plugin.kinds) this.#pluginKinds.set(kind, plugin);
    this.plugins.push(plugin);
    plugin.attach(this, pluginIO(this));
  }

  /** Applies the messages waiting in the inbox (`inbox: 'poll'`), in arrival order. */
  poll(): void {
    this.inbox.poll();
  }

  /** Sends every batched message now. */
  flush(): void {
    if (this.#closed) return;
    for (const plugin of this.plugins) plugin.beforeFlush?.();
    this.outbox.flush();
  }

  /** Leaves the session: tells the others, fails pending requests, closes the transport. */
  async close(): Promise<void> {
    if (!this.#closed) {
      for (const link of this.links.all()) this.sendReason(link.peer, Kind.Goodbye, 0, 'left');
      this.outbox.flush();
      this.#shutdown('left', 'closed by this peer');
    }
    // Also after the session ended on its own (kicked, host gone): resolve once the transport is shut.
    await this.transport.close();
  }

  // ---- internal API used by Membership, Router, Services and the RPC callers ----

  /** @internal Emits an event; a throwing listener is reported, never propagated into the transport. */
  emit<K extends keyof SessionEvents>(type: K, event: SessionEvents[K]): void {
    try {
      this.events.emit(type, event);
    } catch (error) {
      console.error(`meshplay: a '${String(type)}' listener threw`, error);
    }
  }

  /** @internal Sends Goodbye or Error with a reason to one linked peer. */
  sendReason(peer: PeerId, kind: number, code: number, reason: string): void {
    this.scratch.reset();
    writeReason(this.scratch, kind, code, reason);
    this.router.sendDirect(peer, Channel.Reliable, this.scratch.view());
  }

  /** @internal Tells `peer` why, then closes its link after a grace period. */
  dropLink(peer: PeerId, code: ErrorCodeName, reason: string): void {
    const link = this.links.get(peer);
    if (!link || link.closing) return;
    this.sendReason(peer, Kind.Goodbye, ErrorCode[code], reason);
    this.outbox.flush();
    link.closing = true;
    this.options.scheduler.setTimeout(
      () => this.transport.disconnect(peer, `${code}: ${reason}`),
      CLOSE_GRACE_MS,
    );
  }

  /** @internal Input from `offender` was refused: report it, tell it, and kick it if the policy says so. */
  violation(error: MeshplayError, offender: PeerId): void {
    this.emit('error', { error, peer: offender });
    if (offender === this.id || this.#closed) return;
    const link = this.links.get(offender);
    if (link && !link.closing) this.sendReason(offender, Kind.Error, ErrorCode[error.code], error.message);
    if (!this.isHost) return;
    if (link && !link.admitted) return this.dropLink(offender, error.code, error.message);
    if (this.membership.table.has(offender) && this.options.onViolation(error, offender) === 'kick') {
      this.membership.kick(offender, `${error.code}: ${error.message}`);
    }
  }

  /** @internal Ends this session locally. */
  shutdown(code: LeaveCode, reason: string): void {
    if (this.#closed) return;
    this.#shutdown(code, reason);
    void this.transport.close();
  }

  /** @internal Applies plugin frames and routed frames, in order. */
  deliver(
    peer: PeerId,
    channel: number,
    data: Uint8Array,
    frame: Frame,
    sender: PeerId,
    checked: boolean,
  ): void {
    switch (frame.kind) {
      case Kind.Rpc:
        return this.rpcLayer.receive(frame, data, sender, checked);
      case Kind.Result:
        return this.rpcLayer.receiveResult(frame, data, sender);
      case Kind.Raw:
        return this.emit('bytes', { from: sender, channel, data: data.slice(frame.start, frame.end) });
      default: {
        const plugin = this.#pluginKinds.get(frame.kind);
        if (!plugin) throw new BadPacketError(`no plugin owns message kind ${frame.kind}`);
        plugin.receive(peer, frame.kind, data.subarray(frame.start, frame.end), channel);
      }
    }
  }

  #shutdown(code: LeaveCode, reason: string): void {
    this.#closed = true;
    this.links.stop();
    this.membership.stop(code, reason);
    this.rpcLayer.pending.failAll(
      code === 'left' ? 'E_SESSION_CLOSED' : (code as ErrorCodeName),
      `session ended: ${reason}`,
    );
    for (const plugin of this.plugins) plugin.detach?.();
    const { events } = this.transport;
    events.off('peer-connected', this.#onConnected);
    events.off('peer-disconnected', this.#onDisconnected);
    events.off('message', this.#onMessage);
  }

  #node(target: object): RpcNode {
    const node = this.registry.of(target);
    if (node) return node;
    throw this.services.unboundError(target);
  }

  #requireHost(): PeerId {
    const host = this.hostId;
    if (!host)
      throw new SessionError('E_NOT_CONNECTED', 'the host is not known yet: await session.ready() first');
    return host;
  }

  #destination(to: CallTarget): Destination {
    if (to.except !== undefined) return { kind: 'except', peer: to.except };
    if (to.to === undefined || to.to === 'all') return { kind: 'all' };
    return { kind: 'one', peer: to.to === 'host' ? this.#requireHost() : to.to };
  }

  #sendPing(link: Link): void {
    this.scratch.reset();
    writePing(this.scratch, Math.floor(this.options.scheduler.now()) >>> 0, false);
    this.router.sendDirect(link.peer, Channel.Unreliable, this.scratch.view());
  }

  #linkDead(link: Link): void {
    this.transport.disconnect(link.peer, 'heartbeat timeout');
    this.#onDisconnected({ peer: link.peer, reason: 'heartbeat timeout' }, 'E_TIMEOUT');
  }

  readonly #onConnected = ({ peer }: { peer: PeerId }): void => {
    if (this.#closed || this.links.has(peer)) return;
    this.links.open(peer);
    this.membership.linkOpened(peer);
  };

  readonly #onDisconnected = (
    { peer, reason }: { peer: PeerId; reason: string },
    code: ErrorCodeName = 'E_PEER_LEFT',
  ): void => {
    const link = this.links.close(peer);
    if (!link || this.#closed) return;
    this.outbox.drop(peer);
    this.membership.linkLost(peer, link, code, reason);
  };

  /** @internal Takes one datagram from a link (also used to replay datagrams that arrived early). */
  receive(peer: PeerId, channel: number, data: Uint8Array): void {
    this.inbox.receive(peer, channel, data);
  }

  readonly #onMessage = ({
    peer,
    channel,
    data,
  }: {
    peer: PeerId;
    channel: number;
    data: Uint8Array;
  }): void => this.inbox.receive(peer, channel, data);

  /** @internal The scheduler in use. */
  get scheduler(): Scheduler {
    return this.options.scheduler;
  }

  /** @internal Whether the session has ended. */
  get closed(): boolean {
    return this.#closed;
  }
}

function asTransportError(error: unknown): MeshplayError {
  if (error instanceof MeshplayError) return error;
  return new TransportError('E_TRANSPORT', `send failed: ${(error as Error)?.message ?? String(error)}`, {
    cause: error,
  });
}
