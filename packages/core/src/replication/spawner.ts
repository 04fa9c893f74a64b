import { ConfigError, SessionError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Entry, PeerLink } from './entry.js';
import { ReplicationError } from './errors.js';
import { Received } from './history.js';
import type { NetworkClass } from './layout.js';
import { Op, writeSpawn, writeUpdate } from './messages.js';
import { CORE, type NetworkObject, type ObjectId } from './network-object.js';
import type { InitOf, SpawnOptions } from './options.js';
import type { ClassInfo } from './registry.js';
import type { Replication } from './replication.js';
import { keepsRecord, sendsState, sourceOf, spawnsForOthers } from './roles.js';
import { SendTable } from './send-table.js';
import { READY } from './slots.js';
import type { Tracked } from './tracked.js';

/** Ticks a despawned object's tombstone lingers so that trailing state packets still decode. */
export const TOMBSTONE_TICKS = 90;

/**
 * Spawns and despawns objects on the peers that may see them (late joiners included, and peers an
 * object becomes visible to), enforces spawn limits and namespaces, and sends `onChange` updates.
 * Spawns travel on the reliable channel, in order with the RPCs sent around them. Its `@internal`
 * methods are shared with the {@link SpawnReceiver} and {@link Ownership}.
 */
export class Spawner {
  /** Every object this peer sends state for (what the encoder walks). */
  readonly table = new SendTable();

  constructor(private readonly rep: Replication) {}

  // ---- local API ----

  spawn<T extends NetworkObject>(
    type: NetworkClass<T>,
    init: InitOf<T> | undefined,
    options: SpawnOptions = {},
  ): T {
    const rep = this.rep;
    const info = rep.types.of(type);
    if (!info || info.type !== type)
      throw new ConfigError(`${type.name} is not registered with this replication`);
    const session = rep.session;
    if (!session?.connected) throw new SessionError('E_NOT_CONNECTED', 'spawn after the session connects');
    const self = session.id;
    const owner = options.owner ?? self;
    if (owner !== self) {
      if (!session.isHost)
        throw new ReplicationError('E_UNAUTHORIZED_RPC', 'only the host spawns objects for other peers');
      if (session.topology === 'mesh') throw new ConfigError('in a mesh a peer spawns its own objects');
      if (!session.peers().includes(owner))
        throw new SessionError('E_PEER_LEFT', `${owner} is not in the session`);
    }
    if (!session.isHost) this.checkLimit(info, self);
    const object = new type();
    if (init)
      for (const [key, value] of Object.entries(init)) (object as Record<string, unknown>)[key] = value;
    const entry = this.adopt(object, info, rep.allocateId(), owner);
    if (session.topology === 'host' && !session.isHost) {
      // A star client asks the host, which checks the limit and spawns it on the others.
      const host = session.hostId!;
      const link = rep.links.get(host);
      entry.pending = true;
      if (link) {
        const key = rep.tick;
        const w = this.rep.control.begin(Op.SpawnRequest);
        writeSpawn(w, info, entry.tracked!, session.indexOf(self)!, key);
        this.rep.control.send(link);
        link.stream.own().open(entry.tracked!.row, entry.tracked!.latest, key);
      }
    } else {
      for (const link of rep.links.values())
        if (link.greeted && this.visible(entry, link.peer)) this.spawnAt(entry, link);
    }
    rep.events.emit('spawned', { object, remote: false });
    return object;
  }

  despawn(object: NetworkObject): void {
    const rep = this.rep;
    const entry = rep.byObject.get(object);
    if (!entry || entry.dead) return;
    const session = rep.session;
    if (entry.owner !== session.id && !session.isHost) {
      throw new ReplicationError('E_UNAUTHORIZED_WRITE', 'only the owner or the host despawns an object');
    }
    if (session.topology === 'host' && !session.isHost) {
      const link = rep.links.get(session.hostId!);
      if (link) {
        this.rep.control.begin(Op.DespawnRequest).writeVarint(entry.id);
        this.rep.control.send(link);
      }
    } else this.despawnEverywhere(entry);
    this.remove(entry, false);
  }

  /** Whether `entry` is visible to `peer` (its owner always sees it). */
  visible(entry: Entry, peer: PeerId): boolean {
    if (peer === entry.owner || entry.grants?.has(peer)) return true;
    if (entry.filter && !entry.filter(peer)) return false;
    const global = this.rep.options.visibility;
    return global ? global(entry.object, peer) : true;
  }

  // ---- per tick ----

  /** Spawns and despawns filtered objects where their visibility changed. */
  refreshVisibility(): void {
    const rep = this.rep;
    if (!spawnsForOthers(this.rep.session)) return;
    const global = rep.options.visibility !== undefined;
    for (const t of this.tracked()) {
      const entry = rep.entries.get(t.id)!;
      if (!global && !entry.filter && !entry.grants) continue;
      if (!keepsRecord(this.rep.session, entry)) continue;
      for (const link of rep.links.values()) {
        if (!link.greeted) continue;
        const shown = link.stream.slots.has(t.row);
        const visible = this.visible(entry, link.peer);
        if (visible && !shown) this.spawnAt(entry, link);
        else if (!visible && shown) this.despawnAt(entry, link);
      }
    }
  }

  /** Sends the `onChange` fields written since the last tick. */
  sendUpdates(): void {
    const rep = this.rep;
    for (const t of this.tracked()) {
      const core = t.object[CORE];
      if (core.dirty === 0) continue;
      const mask = core.dirty;
      core.dirty = 0;
      const entry = rep.entries.get(t.id)!;
      if (entry.pending) continue;
      for (const link of rep.links.values()) {
        if (!link.stream.slots.has(t.row) || link.peer === entry.owner) continue;
        writeUpdate(this.rep.control.begin(Op.Update), entry.info, entry.id, core.values, mask);
        this.rep.control.send(link);
      }
    }
  }

  /** A link became reachable: the type table, then every object it may see. */
  greet(link: PeerLink): void {
    const rep = this.rep;
    link.greeted = true;
    rep.types.write(this.rep.control.begin(Op.Types));
    this.rep.control.send(link);
    if (!spawnsForOthers(this.rep.session)) return;
    for (const t of this.tracked()) {
      const entry = rep.entries.get(t.id)!;
      if (
        keepsRecord(this.rep.session, entry) &&
        !link.stream.slots.has(t.row) &&
        this.visible(entry, link.peer)
      )
        this.spawnAt(entry, link);
    }
  }

  peerLeft(peer: PeerId): void {
    const rep = this.rep;
    const link = rep.links.get(peer);
    if (link) {
      rep.links.delete(peer);
      link.stream.close();
    }
    const session = rep.session;
    if (session.topology === 'mesh') return rep.ownership.ownerLeft(peer, peer === session.hostId);
    for (const entry of [...rep.entries.values()]) {
      if (entry.dead || entry.owner !== peer) continue;
      if (!session.isHost) continue; // the host decides
      if (rep.options.ownerLeft === 'host') {
        this.rep.ownership.transfer(entry.object, session.id);
        continue;
      }
      this.despawnEverywhere(entry);
      this.remove(entry, true);
    }
  }

  /** Drops tombstones past their time. */
  expire(tick: number): void {
    for (const link of this.rep.links.values()) {
      if (link.tombstones === 0) continue;
      for (const [id, ref] of link.refs) {
        if (ref.expires < tick) {
          link.refs.delete(id);
          link.tombstones--;
        }
      }
    }
  }

  // ---- internals ----

  /** @internal Makes the bookkeeping of a new local instance. */
  adopt(object: NetworkObject, info: ClassInfo, id: ObjectId, owner: PeerId): Entry {
    const rep = this.rep;
    const entry: Entry = {
      object,
      info,
      id,
      owner,
      tracked: undefined,
      source: undefined,
      formerSource: undefined,
      filter: undefined,
      grants: undefined,
      snapshots: undefined,
      smoothed: {},
      inputs: undefined,
      queue: undefined,
      authTick: -1,
      authVid: -1,
      authInput: -1,
      authChanged: -1,
      pending: false,
      dead: false,
    };
    const core = object[CORE];
    core.id = id;
    core.owner = owner;
    core.holder = rep;
    rep.entries.set(id, entry);
    rep.byObject.set(object, entry);
    rep.refreshWritable(entry);
    if (sendsState(this.rep.session, entry)) this.track(entry);
    entry.source = sourceOf(this.rep.session, entry);
    rep.sync.prepare(entry);
    rep.io.registry.add({
      id,
      name: info.name,
      instance: object,
      authority: () => entry.owner,
      visibleTo: (peer) => {
        const link = rep.links.get(peer);
        return !entry.tracked || !link || link.stream.slots.has(entry.tracked.row) || peer === entry.owner;
      },
    });
    return entry;
  }

  /** @internal Forgets an object here (tombstoning its refs). */
  remove(entry: Entry, remote: boolean): void {
    const rep = this.rep;
    if (entry.dead) return;
    entry.dead = true;
    rep.entries.delete(entry.id);
    rep.io.registry.remove(entry.id);
    this.untrack(entry);
    const expires = rep.tick + TOMBSTONE_TICKS;
    for (const link of rep.links.values()) {
      const ref = link.refs.get(entry.id);
      if (ref && ref.entry === entry && ref.expires === Number.POSITIVE_INFINITY) {
        ref.expires = expires;
        link.tombstones++;
      }
    }
    const core = entry.object[CORE];
    core.writable = true;
    core.holder = undefined;
    rep.events.emit('despawned', { object: entry.object, remote });
    core.id = 0;
  }

  /** @internal Moves where the object's state comes from, tombstoning the old ref. */
  setSource(entry: Entry, source: PeerId | undefined, history: Received | undefined): void {
    const rep = this.rep;
    const old = entry.source;
    entry.source = source;
    if (old !== undefined && old !== source) {
      const ref = rep.links.get(old)?.refs.get(entry.id);
      if (ref && ref.expires === Number.POSITIVE_INFINITY) {
        ref.expires = rep.tick + TOMBSTONE_TICKS;
        rep.links.get(old)!.tombstones++;
      }
    }
    if (source !== undefined && source !== old) {
      const link = rep.links.get(source);
      if (link) {
        if ((link.refs.get(entry.id)?.expires ?? Number.POSITIVE_INFINITY) !== Number.POSITIVE_INFINITY)
          link.tombstones--;
        link.refs.set(entry.id, {
          id: entry.id,
          layout: entry.info.layout,
          typeIndex: this.typeIndexAt(link, entry.info),
          history: history ?? new Received(entry.info.layout),
          entry,
          expires: Number.POSITIVE_INFINITY,
        });
      }
    }
  }

  /** @internal The index `link`'s type table gives `info` (the class's own index until the table arrives). */
  typeIndexAt(link: PeerLink, info: ClassInfo): number {
    const index = link.types.indexOf(info);
    return index >= 0 ? index : info.index;
  }

  /** @internal Every tracked object, in id order (a copy: callers may track and untrack). */
  tracked(): Tracked[] {
    const { order, handles, count } = this.table;
    const out: Tracked[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = handles[order[i]!]!;
    return out;
  }

  /** @internal Starts sending the object's state: a row in the send table. */
  track(entry: Entry): Tracked {
    const t = this.table.add(
      entry.object,
      entry.info.layout,
      entry.id,
      entry.info.index,
      entry.info.priority,
    );
    entry.tracked = t;
    return t;
  }

  /** @internal Stops sending the object's state. */
  untrack(entry: Entry): void {
    const t = entry.tracked;
    if (!t) return;
    entry.tracked = undefined;
    this.table.remove(t);
  }

  /** @internal Records that `link` has the object with version `vid` filed under `key`; `ready`: state may flow. */
  open(entry: Entry, link: PeerLink, vid: number, key: number, ready: boolean): void {
    const row = entry.tracked!.row;
    link.stream.own().open(row, vid, key);
    if (ready) link.stream.own().state[row] = READY;
  }

  /** @internal Spawns `entry` at `link` (this peer keeps the record of who has it). */
  spawnAt(entry: Entry, link: PeerLink): void {
    const rep = this.rep;
    const t = entry.tracked!;
    this.table.captureNow(t);
    const key = rep.tick;
    writeSpawn(this.rep.control.begin(Op.Spawn), entry.info, t, rep.session.indexOf(entry.owner)!, key);
    const index = this.rep.control.send(link);
    link.stream.own().open(t.row, t.latest, key);
    if (link.peer !== entry.owner) this.rep.control.await(link, t.row, index);
    else if (entry.source === link.peer) {
      // The owner sends the state from now on, as deltas against what this spawn gave it.
      const history = new Received(entry.info.layout);
      const at = history.reserve(key);
      const from = t.newest();
      const n = entry.info.layout.count;
      history.ints.set(this.table.ints.subarray(from, from + n), at);
      if (history.refs) for (let s = 0; s < n; s++) history.refs[at + s] = this.table.refs![from + s];
      const old = entry.source;
      entry.source = undefined;
      this.setSource(entry, old, history);
    }
  }

  /** @internal Despawns the object at one peer. */
  despawnAt(entry: Entry, link: PeerLink): void {
    if (entry.tracked) link.stream.own().reset(entry.tracked.row);
    this.rep.control.begin(Op.Despawn).writeVarint(entry.id);
    this.rep.control.send(link);
  }

  /** @internal Despawns the object at every peer that has it (all peers, when this one keeps no record). */
  despawnEverywhere(entry: Entry, except?: PeerLink): void {
    const t = entry.tracked;
    for (const link of this.rep.links.values()) {
      if (link === except) continue;
      // Without a record of who has it (a mesh host despawning another's object), tell everyone.
      if (!t || link.stream.slots.has(t.row)) this.despawnAt(entry, link);
    }
  }

  /** @internal Throws `E_SPAWN_LIMIT` when `peer` already owns as many objects as it may. */
  checkLimit(info: ClassInfo, peer: PeerId): void {
    const rep = this.rep;
    let total = 0;
    let ofClass = 0;
    for (const entry of rep.entries.values()) {
      if (entry.dead || entry.owner !== peer) continue;
      total++;
      if (entry.info === info) ofClass++;
    }
    if (total >= rep.options.spawnLimit || (info.spawnLimit !== undefined && ofClass >= info.spawnLimit)) {
      throw new ReplicationError('E_SPAWN_LIMIT', `${peer} already owns as many objects as it may`);
    }
  }
}
