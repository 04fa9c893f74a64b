import { createEmitter, type Emitter } from '../emitter.js';
import { ConfigError, type MeshplayError, SessionError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Scheduler } from '../scheduler.js';
import type { PluginIO, SessionPlugin } from '../session/plugin.js';
import type { Session } from '../session/session.js';
import { Channel } from '../transport/channels.js';
import { BitReader, BitWriter } from './bits.js';
import { ClockSync } from './clock.js';
import { ClockProbe } from './clock-probe.js';
import { ControlChannel } from './control-channel.js';
import type { Entry, PeerLink, VisibilityFilter } from './entry.js';
import { ReplicationError } from './errors.js';
import type { NetworkClass } from './layout.js';
import { RepKind } from './messages.js';
import { CORE, type NetworkObject, type ObjectId } from './network-object.js';
import type { InitOf, RenderStats, ReplicationEvents, ReplicationOptions, SpawnOptions } from './options.js';
import { Ownership } from './ownership.js';
import type { ClassInfo, RegisterOptions } from './registry.js';
import { TypeRegistry } from './registry.js';
import { SpawnReceiver } from './spawn-receiver.js';
import { Spawner } from './spawner.js';
import { StateEncoder } from './state-encoder.js';
import { Synchronizer } from './synchronizer.js';
import { TickLoop } from './tick-loop.js';

/**
 * The replication layer: a session plugin that spawns networked objects on every peer that may
 * see them, keeps their `@sync` fields in step (deltas against acknowledged baselines for
 * `always`, reliable updates for `onChange`), runs the fixed-step {@link TickLoop}, keeps clients'
 * clocks on the host's, interpolates remote objects and lets owners predict.
 *
 * ```ts
 * const replication = new Replication({ rate: 30 });
 * replication.register(Ship, 'Ship');
 * session.use(replication);
 * replication.loop.onTick = (tick, dt) => { ... };
 * const ship = replication.spawn(Ship, { x: 10 });
 * ```
 */
export class Replication implements SessionPlugin {
  readonly kinds: readonly number[] = Object.values(RepKind);
  /** Typed events (mitt). */
  readonly events: Emitter<ReplicationEvents> = createEmitter<ReplicationEvents>();
  /** The fixed-step loop (created on attach, from the session's scheduler). */
  loop!: TickLoop;
  /** This client's estimate of the host's clock. */
  readonly clock = new ClockSync();

  /** @internal */ readonly options: Required<Omit<ReplicationOptions, 'visibility'>> &
    Pick<ReplicationOptions, 'visibility'>;
  /** @internal */ readonly types = new TypeRegistry();
  /** @internal */ readonly entries = new Map<ObjectId, Entry>();
  /** @internal */ readonly byObject = new WeakMap<NetworkObject, Entry>();
  /** @internal */ readonly links = new Map<PeerId, PeerLink>();
  /** @internal */ readonly encoder: StateEncoder;
  /** @internal */ readonly writer = new BitWriter(4096);
  /** @internal */ session!: Session;
  /** @internal */ io!: PluginIO;
  /** @internal The session's clock and timers. */ scheduler!: Scheduler;
  /** @internal */ readonly spawner: Spawner;
  /** @internal */ readonly receiver: SpawnReceiver;
  /** @internal */ readonly ownership: Ownership;
  /** @internal */ readonly control: ControlChannel;
  /** @internal */ readonly sync: Synchronizer;
  /** @internal */ readonly clockProbe: ClockProbe;
  #origin = 0;
  #localCounter = 0;

  constructor(options: ReplicationOptions = {}) {
    this.options = {
      rate: 30,
      autoStart: true,
      spawnLimit: 256,
      maxDatagramBytes: 1197,
      budgetBytesPerTick: 4 * 1197,
      maxExtrapolateTicks: 2,
      renderMargin: 3,
      ownerLeft: 'despawn',
      ...options,
    };
    if (this.options.maxDatagramBytes > 1197 || this.options.maxDatagramBytes < 64) {
      throw new ConfigError('maxDatagramBytes must be within 64–1197 (datagrams stay ≤ 1200 bytes)');
    }
    this.encoder = new StateEncoder({
      maxBytes: this.options.maxDatagramBytes,
      budgetBytes: this.options.budgetBytesPerTick,
    });
    this.spawner = new Spawner(this);
    this.receiver = new SpawnReceiver(this);
    this.ownership = new Ownership(this);
    this.control = new ControlChannel(this);
    this.sync = new Synchronizer(this);
    this.clockProbe = new ClockProbe(this);
  }

  // ---- public API ----

  /** Registers a networked class under a name every peer uses for it. Register before spawning. */
  register<T extends NetworkObject, I = unknown>(
    type: NetworkClass<T>,
    name: string,
    options?: RegisterOptions<T, I>,
  ): void {
    this.types.register(type, name, options);
    if (this.session) for (const link of this.links.values()) if (link.greeted) this.sync.sendTypes(link);
  }

  /** Spawns `type` with `init` on every peer that may see it; returns the local instance. */
  spawn<T extends NetworkObject>(type: NetworkClass<T>, init?: InitOf<T>, options?: SpawnOptions): T {
    return this.spawner.spawn(type, init, options);
  }

  /** Despawns an object everywhere (its owner or the host may). */
  despawn(object: NetworkObject): void {
    this.spawner.despawn(object);
  }

  /**
   * Host: gives an object to another peer (or takes it). In a mesh the new owner starts sending
   * its state to each peer once that peer has the host's word; every peer is assumed to have it.
   */
  transfer(object: NetworkObject, owner: PeerId): void {
    this.ownership.transfer(object, owner);
  }

  /** Restricts who sees `object` (undefined: everyone); granted peers see it regardless. */
  setVisibility(object: NetworkObject, filter: VisibilityFilter | undefined): void {
    this.#entry(object).filter = filter;
  }

  /** Lets `peer` see `object` whatever the filters say. */
  grant(object: NetworkObject, peer: PeerId): void {
    const entry = this.#entry(object);
    entry.grants ??= new Set();
    entry.grants.add(peer);
  }

  /** Withdraws a grant. */
  revoke(object: NetworkObject, peer: PeerId): void {
    this.#entry(object).grants?.delete(peer);
  }

  /** Whether `object` is visible to `peer` (as this peer, its sender, decides). */
  isVisible(object: NetworkObject, peer: PeerId): boolean {
    return this.spawner.visible(this.#entry(object), peer);
  }

  /** Owner of a predicted object: runs `input` now (this tick) and sends it to the host. */
  input<T extends NetworkObject>(object: T, input: unknown): void {
    this.sync.input(this.#entry(object), input);
  }

  /** The spawned object with this id. */
  get(id: ObjectId): NetworkObject | undefined {
    const entry = this.entries.get(id);
    return entry && !entry.dead ? entry.object : undefined;
  }

  /** Every live object, in id order. */
  objects(): NetworkObject[] {
    return [...this.entries.values()]
      .filter((e) => !e.dead)
      .sort((a, b) => a.id - b.id)
      .map((e) => e.object);
  }

  /** The rendered (interpolated) values of an object's interpolated fields, updated by {@link render}. */
  smoothed(object: NetworkObject): Readonly<Record<string, number>> {
    return this.#entry(object).smoothed;
  }

  /**
   * Computes every remote object's interpolated fields for the present (call once per frame);
   * locally owned objects show their current values.
   */
  render(): RenderStats {
    return this.sync.render();
  }

  /** The host's tick as this peer estimates it now (fractional). */
  get hostTick(): number {
    return this.timeline() / this.loop.stepMs;
  }

  /** Starts the loop (done on connect unless `autoStart` is false). */
  start(): void {
    this.loop.start();
  }

  /** Stops the loop. */
  stop(): void {
    this.loop?.stop();
  }

  // ---- session plugin ----

  /** @internal */
  attach(session: Session, io: PluginIO): void {
    this.session = session;
    this.io = io;
    this.scheduler = io.scheduler;
    this.#origin = this.scheduler.now();
    this.loop = new TickLoop({
      rate: this.options.rate,
      scheduler: this.scheduler,
      timeline: () => this.timeline(),
    });
    this.loop.wrap({
      before: (tick) => {
        this.session.poll();
        this.sync.beforeTick(tick);
      },
      after: (tick) => {
        this.sync.afterTick(tick);
        this.session.flush();
      },
    });
    if (session.connected) this.#connected();
    else session.events.on('connected', this.#connected);
  }

  /** @internal */
  receive(from: PeerId, kind: number, body: Uint8Array): void {
    const link = this.links.get(from);
    if (!link) return;
    const r = new BitReader(body);
    switch (kind) {
      case RepKind.State:
        return this.sync.receiveState(link, body);
      case RepKind.Ack:
        return this.sync.receiveAck(link, r);
      case RepKind.Control:
        return this.receiver.receiveControl(link, body);
      case RepKind.Input:
        return this.sync.receiveInput(link, r);
      case RepKind.Clock:
        return this.clockProbe.receive(link, r);
    }
  }

  /** @internal */
  peerJoined(peer: PeerId): void {
    if (!this.session.connected || !this.#linksTo(peer)) return;
    this.#link(peer);
  }

  /** @internal */
  peerLeft(peer: PeerId): void {
    this.spawner.peerLeft(peer);
  }

  /** @internal */
  hostChanged(host: PeerId, previous: PeerId | undefined): void {
    // A mesh elected this peer: its timeline carries on from its estimate of the old host's.
    if (host === this.session.id) {
      const now = this.scheduler.now();
      const estimate = this.clock.synced ? this.clock.hostTime(now) : now - this.#origin;
      this.#origin = now - estimate;
    }
    this.#link(host);
    this.ownership.hostChanged(host, previous);
  }

  /** @internal */
  detach(): void {
    this.loop?.stop();
  }

  // ---- internal, shared with the spawner and synchronizer ----

  /** @internal Milliseconds on the host's timeline (this client's estimate of it). */
  timeline(): number {
    const now = this.scheduler.now();
    if (this.session.isHost || !this.clock.synced) return now - this.#origin;
    return this.clock.hostTime(now);
  }

  /** @internal The tick state is stamped with: the loop's current tick. */
  get tick(): number {
    return Math.max(0, this.loop.tick);
  }

  /** @internal A fresh object id in this peer's namespace. */
  allocateId(): ObjectId {
    const index = this.session.indexOf(this.session.id);
    if (index === undefined) throw new SessionError('E_NOT_CONNECTED', 'spawn after the session connects');
    return (index + 1) * 2 ** 20 + ++this.#localCounter;
  }

  /** @internal Whether `id` lies in `peer`'s namespace. */
  ownsNamespace(peer: PeerId, id: ObjectId): boolean {
    const index = this.session.indexOf(peer);
    return index !== undefined && Math.floor(id / 2 ** 20) === index + 1 && id % 2 ** 20 !== 0;
  }

  /** @internal The member with compact index `index`. */
  peerAt(index: number): PeerId | undefined {
    if (this.session.indexOf(this.session.id) === index) return this.session.id;
    return this.session.peers().find((p) => this.session.indexOf(p) === index);
  }

  /** @internal Reports a refusal (and tells the offender when there is one). */
  refuse(error: ReplicationError, peer?: PeerId, object?: NetworkObject): void {
    this.events.emit('refused', { error, ...(peer ? { peer } : {}), ...(object ? { object } : {}) });
    if (peer && peer !== this.session.id) this.io.refuse(error as MeshplayError, peer);
  }

  /** @internal Sends a message of one of the replication's kinds. */
  send(peer: PeerId, kind: number, body: Uint8Array): void {
    const channel = kind === RepKind.Control ? Channel.Reliable : Channel.Unreliable;
    this.io.send(peer, channel, kind, body);
  }

  /** @internal Whether this peer keeps a direct replication link to `peer`. */
  #linksTo(peer: PeerId): boolean {
    if (peer === this.session.id) return false;
    if (this.session.topology === 'mesh' || this.session.isHost) return true;
    return peer === this.session.hostId;
  }

  #link(peer: PeerId): void {
    if (this.links.has(peer) || !this.#linksTo(peer)) return;
    this.links.set(peer, this.sync.createLink(peer));
  }

  #entry(object: NetworkObject): Entry {
    const entry = this.byObject.get(object);
    if (!entry || entry.dead) throw new ReplicationError('E_UNKNOWN_OBJECT', 'this object is not spawned');
    return entry;
  }

  readonly #connected = (): void => {
    this.session.events.off('connected', this.#connected);
    for (const peer of this.session.peers()) this.#link(peer);
    if (this.options.autoStart) this.loop.start();
  };

  /** @internal Whether an object is registered with this replication. */
  infoOf(object: NetworkObject): ClassInfo {
    const info = this.types.of(object.constructor);
    if (!info) throw new ConfigError(`${object.constructor.name} is not registered`);
    return info;
  }

  /** @internal Whether this peer may write the fields of `entry` now. */
  authorityOf(entry: Entry): PeerId | undefined {
    if (entry.info.predict) return this.session.hostId;
    return entry.owner;
  }

  /** @internal Refreshes the object's owner and whether game code here may write it. */
  refreshWritable(entry: Entry): void {
    const self = this.session.id;
    entry.object[CORE].owner = entry.owner;
    entry.object[CORE].writable =
      !entry.dead &&
      (this.authorityOf(entry) === self || (entry.info.predict !== undefined && entry.owner === self));
  }
}
