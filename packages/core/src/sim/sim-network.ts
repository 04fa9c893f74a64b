import { type PeerId, seededPeerIds } from '../ids.js';
import type { Scheduler } from '../scheduler.js';
import type { Session } from '../session/session.js';
import { createSessions, joinSession, type SimSessionsOptions } from '../session/sim-sessions.js';
import { BUILTIN_CHANNELS, type ChannelConfig } from '../transport/channels.js';
import { Delivery, type SimTotals } from './delivery.js';
import { LinkDirection, SimLink } from './direction.js';
import { Endpoint, type EndpointHost } from './endpoint.js';
import { SimulationError } from './errors.js';
import { type LinkConfig, PERFECT_LINK, resolveLinkConfig } from './link.js';
import { type PartitionHandle, Partitions } from './partitions.js';
import { Rng } from './rng.js';
import { RunLoop } from './run-loop.js';
import { DEFAULT_MAX_MESSAGE_SIZE, type SimTransport } from './sim-transport.js';
import { VirtualClock } from './virtual-clock.js';

/** Options of {@link SimNetwork}: the seed, the mode, and the default model of every link. */
export interface SimNetworkOptions extends Partial<LinkConfig> {
  /** Seed of every random stream (ids, links, {@link SimNetwork.random}). Default 1. */
  seed?: number | string;
  /** Follow the wall clock instead of virtual time. Default false. */
  realtime?: boolean;
  /** Default largest datagram of each transport. Default 256 KiB. */
  maxMessageSize?: number;
}

/** Options of {@link SimNetwork.createTransport}. */
export interface SimTransportOptions {
  /** The endpoint's id; default: the next id of the network's seeded id stream. */
  id?: PeerId;
  /** User channels, appended after the three built-in ones (index 3 onwards). */
  channels?: readonly ChannelConfig[];
  /** Largest datagram this endpoint accepts; a link carries the smaller of its two ends'. */
  maxMessageSize?: number;
}

/** Options of {@link SimNetwork.setLink}. */
export interface SetLinkOptions {
  /** Change only the a → b direction. Default false (both directions). */
  oneWay?: boolean;
}

/** An endpoint given by id or by its transport. */
export type SimEndpoint = PeerId | SimTransport;

/**
 * A deterministic simulated network: endpoints ({@link SimTransport}), links with latency, jitter,
 * loss, duplication, reordering and bandwidth caps, partitions and crashes, all on one virtual
 * clock and one seed, so the same calls give the same deliveries, losses and ids on every run.
 * Time passes only in {@link run} and {@link runUntil} (or with the wall clock in real-time mode).
 */
export class SimNetwork {
  /** Real-time mode: the clock follows `performance.now()`. */
  readonly realtime: boolean;
  readonly #clock: VirtualClock;
  readonly #rng: Rng;
  readonly #userRng: Rng;
  readonly #nextId: () => PeerId;
  readonly #maxMessageSize: number;
  readonly #endpoints = new Map<PeerId, Endpoint>();
  readonly #overrides = new Map<string, Partial<LinkConfig>>();
  readonly #generations = new Map<string, number>();
  readonly #partitions = new Partitions();
  readonly #delivery: Delivery;
  readonly #host: EndpointHost;
  readonly #loop: RunLoop;
  #defaults: LinkConfig;

  constructor(options: SimNetworkOptions = {}) {
    const { seed = 1, realtime = false, maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE, ...link } = options;
    this.realtime = realtime;
    this.#defaults = resolveLinkConfig(PERFECT_LINK, link);
    this.#maxMessageSize = maxMessageSize;
    this.#rng = new Rng(seed);
    this.#userRng = this.#rng.fork('user');
    const idRng = this.#rng.fork('ids');
    this.#nextId = seededPeerIds(() => idRng.next());
    this.#clock = new VirtualClock({ realtime, onError: (error) => this.#loop.report(error) });
    this.#loop = new RunLoop(this.#clock, realtime);
    this.#delivery = new Delivery(this.#clock, this.#partitions);
    this.#host = {
      now: () => this.#clock.now(),
      send: (dir, channel, data) => this.#delivery.send(dir, channel, data),
      disconnect: (from, dir, reason, localEvent) => this.#disconnect(from, dir, reason, localEvent),
      reportError: (error) => this.#loop.report(error),
      touched: () => {
        this.#loop.handlerCalls++;
      },
      closed: (endpoint) => {
        this.#endpoints.delete(endpoint.id);
        this.#clock.refresh();
      },
    };
  }

  /** The clock every session on this network must use. */
  get scheduler(): Scheduler {
    return this.#clock;
  }

  /** Clock milliseconds (virtual, or real since creation in real-time mode). */
  now(): number {
    return this.#clock.now();
  }

  /** A float in [0, 1) from the network's seeded stream for users (bots, test choices). */
  random(): number {
    return this.#userRng.next();
  }

  /** An independent seeded stream named `label` (same seed and label: same numbers). */
  fork(label: string): Rng {
    return this.#rng.fork(`user:${label}`);
  }

  /** Everything event handlers and timers threw so far, oldest first. */
  get errors(): readonly unknown[] {
    return this.#loop.errors;
  }

  /** Network-wide datagram counters. */
  get totals(): Readonly<SimTotals> {
    return this.#delivery.totals;
  }

  /** The default link model. */
  get defaults(): LinkConfig {
    return this.#defaults;
  }

  /** Makes an endpoint (not linked to anyone yet). */
  createTransport(options: SimTransportOptions = {}): SimTransport {
    const id = options.id ?? this.#nextId();
    if (this.#endpoints.has(id))
      throw new SimulationError('E_INVALID_CONFIG', `endpoint ${id} already exists`);
    const channels = Object.freeze([...BUILTIN_CHANNELS, ...(options.channels ?? [])]);
    const endpoint = new Endpoint(id, channels, options.maxMessageSize ?? this.#maxMessageSize, this.#host);
    this.#endpoints.set(id, endpoint);
    return endpoint.transport;
  }

  /** The live (not closed) endpoint with this id. */
  transport(id: PeerId): SimTransport | undefined {
    return this.#endpoints.get(id)?.transport;
  }

  /** Every live endpoint, in creation order. */
  transports(): SimTransport[] {
    return [...this.#endpoints.values()].map((e) => e.transport);
  }

  /**
   * Opens a link between two endpoints: each side gets `peer-connected` after one latency (of the
   * direction towards it) and can send from then on. Linking an already linked pair does nothing.
   * Partitions do not stop a link from opening.
   */
  connect(a: SimEndpoint, b: SimEndpoint): void {
    const ta = this.#live(a);
    const tb = this.#live(b);
    if (ta === tb) throw new SimulationError('E_INVALID_CONFIG', `cannot link ${ta.id} to itself`);
    const existing = ta.links.get(tb.id);
    if (existing !== undefined && !existing.link.closed) return;
    this.#settleClosed(ta, tb);
    this.#settleClosed(tb, ta);
    const link = new SimLink(ta, tb, (l, from, to) => this.#direction(l, from, to));
    ta.links.set(tb.id, link.ab);
    tb.links.set(ta.id, link.ba);
    this.#open(link.ab, link.ba.config.latency);
    this.#open(link.ba, link.ab.config.latency);
  }

  /** Links every pair of `endpoints` (default: every live endpoint). */
  connectAll(endpoints: readonly SimEndpoint[] = this.transports()): void {
    for (let i = 0; i < endpoints.length; i++) {
      for (let j = i + 1; j < endpoints.length; j++) this.connect(endpoints[i]!, endpoints[j]!);
    }
  }

  /**
   * Overrides the model of the a → b link (and b → a unless `oneWay`), now and for links opened
   * later between them; datagrams already in flight keep their timing.
   */
  setLink(a: SimEndpoint, b: SimEndpoint, patch: Partial<LinkConfig>, options: SetLinkOptions = {}): void {
    const ia = typeof a === 'string' ? a : a.localId;
    const ib = typeof b === 'string' ? b : b.localId;
    this.#override(ia, ib, patch);
    if (!options.oneWay) this.#override(ib, ia, patch);
  }

  /** Changes the default model; every link without its own override of a field follows. */
  configure(patch: Partial<LinkConfig>): void {
    this.#defaults = resolveLinkConfig(this.#defaults, patch);
    for (const endpoint of this.#endpoints.values()) {
      for (const dir of endpoint.links.values()) dir.configure(this.#configFor(dir.from.id, dir.to.id));
    }
  }

  /**
   * Cuts all traffic between `groupA` and `groupB` (default: everyone else, endpoints made later
   * included). Unreliable datagrams crossing the cut are lost; reliable ones wait and go through
   * after {@link heal}. Links stay open and no event fires: heartbeats have to notice.
   */
  partition(groupA: Iterable<SimEndpoint>, groupB?: Iterable<SimEndpoint>): PartitionHandle {
    const ids = (group: Iterable<SimEndpoint>) =>
      [...group].map((e) => (typeof e === 'string' ? e : e.localId));
    return this.#partitions.add(ids(groupA), groupB === undefined ? undefined : ids(groupB));
  }

  /** Heals one partition, or every partition; held reliable datagrams are sent again. */
  heal(handle?: PartitionHandle): void {
    if (this.#partitions.remove(handle)) this.#delivery.resume();
  }

  /**
   * The endpoint vanishes without a word: nothing it sends arrives, nothing reaches it, it gets no
   * events, and its peers get none either (their links stay "open" until they disconnect).
   */
  crash(endpoint: SimEndpoint): void {
    const crashed = this.#live(endpoint);
    crashed.crashed = true;
    for (const dir of crashed.links.values()) {
      dir.blackhole = true;
      dir.reverse.blackhole = true;
      this.#delivery.discard(dir);
      this.#delivery.discard(dir.reverse);
    }
  }

  /**
   * Makes `n` connected sessions in one call (the first is the host), linked as the topology
   * wants, and runs the clock until every one has joined. See {@link createSessions}.
   */
  sessions(n: number, options: SimSessionsOptions = {}): Promise<Session[]> {
    return createSessions(this, n, options);
  }

  /** Adds a late joiner to running `sessions`. See {@link joinSession}. */
  join(sessions: readonly Session[], options: SimSessionsOptions = {}): Promise<Session> {
    return joinSession(this, sessions, options);
  }

  /**
   * Advances the clock by `ms`, firing timers and deliveries in time order; after each instant it
   * lets promise chains settle (one macrotask), so async handlers run before time moves on. If a
   * handler or timer threw, the network keeps its state and `run` rejects with the first error
   * once that instant is done. Real-time mode: waits `ms` of wall time.
   */
  run(ms: number): Promise<void> {
    return this.#loop.run(ms);
  }

  /**
   * Steps the clock until `predicate()` holds (checked now and after every instant); returns the
   * milliseconds it took. Throws `E_TIMEOUT` if it still fails after `maxMs` (default 10 s).
   */
  runUntil(predicate: () => boolean, maxMs = 10_000): Promise<number> {
    return this.#loop.runUntil(predicate, maxMs);
  }

  /** Closes every endpoint and stops the clock: no timer stays armed, nothing fires afterwards. */
  async stop(): Promise<void> {
    for (const endpoint of [...this.#endpoints.values()]) endpoint.close();
    this.#clock.stop();
  }

  #live(endpoint: SimEndpoint): Endpoint {
    const id = typeof endpoint === 'string' ? endpoint : endpoint.localId;
    const found = this.#endpoints.get(id);
    if (found === undefined || (typeof endpoint !== 'string' && found.transport !== endpoint)) {
      throw new SimulationError('E_INVALID_CONFIG', `no live endpoint ${id}`);
    }
    if (found.crashed) throw new SimulationError('E_INVALID_CONFIG', `endpoint ${id} crashed`);
    return found;
  }

  #direction(link: SimLink, from: Endpoint, to: Endpoint): LinkDirection {
    const key = `${from.id}>${to.id}`;
    const generation = this.#generations.get(key) ?? 0;
    this.#generations.set(key, generation + 1);
    const rng = this.#rng.fork(`link:${key}#${generation}`);
    return new LinkDirection(link, from, to, this.#configFor(from.id, to.id), rng, this.#delivery);
  }

  #configFor(from: PeerId, to: PeerId): LinkConfig {
    const patch = this.#overrides.get(`${from}>${to}`);
    return patch === undefined ? this.#defaults : resolveLinkConfig(this.#defaults, patch);
  }

  #override(from: PeerId, to: PeerId, patch: Partial<LinkConfig>): void {
    const key = `${from}>${to}`;
    const merged = { ...this.#overrides.get(key), ...patch };
    resolveLinkConfig(this.#defaults, merged);
    this.#overrides.set(key, merged);
    const dir = this.#endpoints.get(from)?.links.get(to);
    if (dir !== undefined) dir.configure(this.#configFor(from, to));
  }

  #open(dir: LinkDirection, delay: number): void {
    this.#clock.setTimeout(() => {
      if (dir.link.closed || dir.from.links.get(dir.to.id) !== dir) return;
      dir.open = true;
      dir.from.emit('peer-connected', { peer: dir.to.id });
    }, delay);
  }

  /** A side still holding a link the other side closed learns about it before a new link opens. */
  #settleClosed(side: Endpoint, other: Endpoint): void {
    const stale = side.links.get(other.id);
    if (stale === undefined) return;
    side.links.delete(other.id);
    if (stale.open) {
      stale.open = false;
      const reason = stale.link.reason;
      this.#clock.setTimeout(() => side.emit('peer-disconnected', { peer: other.id, reason }), 0);
    }
  }

  #disconnect(from: Endpoint, dir: LinkDirection, reason: string, localEvent: 'sync' | 'deferred'): void {
    const to = dir.to;
    const link = dir.link;
    if (from.links.get(to.id) === dir) from.links.delete(to.id);
    const wasOpen = dir.open;
    dir.open = false;
    if (!link.closed) {
      link.closed = true;
      link.reason = reason;
      this.#delivery.discard(link.ab);
      this.#delivery.discard(link.ba);
      const back = dir.reverse;
      // A crashed endpoint says nothing, not even when its own code closes it. Otherwise the
      // close is graceful: what `from` already sent reliably arrives first, then the notice.
      if (!from.crashed) {
        dir.closedAt = this.#clock.now();
        const drain = Math.max(dir.config.latency, dir.lastArrival - dir.closedAt);
        this.#clock.setTimeout(() => {
          if (to.links.get(from.id) !== back) return;
          to.links.delete(from.id);
          const open = back.open;
          back.open = false;
          if (open) to.emit('peer-disconnected', { peer: from.id, reason });
        }, drain);
      }
    }
    if (!wasOpen) return;
    const event = { peer: to.id, reason };
    if (localEvent === 'sync') from.emit('peer-disconnected', event);
    else this.#clock.setTimeout(() => from.emit('peer-disconnected', event), 0);
  }
}
