import { BadPacketError, ErrorCode, errorCodeName } from '../errors.js';
import { BitReader } from './bits.js';
import type { PeerLink } from './entry.js';
import { ReplicationError } from './errors.js';
import { Received } from './history.js';
import { Op, readSpawnFields, readSpawnHead, readUpdateFields, type SpawnBody } from './messages.js';
import { CORE, type ObjectId } from './network-object.js';
import type { Replication } from './replication.js';
import { READY } from './slots.js';

/** Control messages a link may hold back while an ownership claim waits for the host's word. */
const MAX_DEFERRED = 1024;

/**
 * The receiving side of Control messages: spawns (and star clients' spawn requests, checked against
 * namespaces and limits), despawns, `onChange` updates (only from the object's source), and the
 * host's answers to requests.
 */
export class SpawnReceiver {
  constructor(private readonly rep: Replication) {}

  /**
   * Takes one Control message from `link`: applies it, or keeps it (and everything after it on
   * that link, in order) while it waits for the host's word (see {@link Ownership}).
   */
  receiveControl(link: PeerLink, body: Uint8Array): void {
    if (link.deferred.length > 0) {
      if (link.deferred.length >= MAX_DEFERRED) {
        throw new ReplicationError(
          'E_RATE_LIMITED',
          'too many control messages waiting on an ownership claim',
        );
      }
      link.deferred.push(body.slice());
      return;
    }
    if (!this.#apply(link, body)) link.deferred.push(body.slice());
  }

  /** Applies the control messages that were waiting, as far as they now can be. */
  retryDeferred(): void {
    for (const link of this.rep.links.values()) {
      const deferred = link.deferred;
      while (deferred.length > 0 && this.#apply(link, deferred[0]!)) deferred.shift();
    }
  }

  /** Applies one message; false when it has to wait (nothing applied then). */
  #apply(link: PeerLink, body: Uint8Array): boolean {
    const r = new BitReader(body);
    const op = r.readBits(8);
    if (op === Op.Owner) {
      if (!this.rep.ownership.receiveOwner(link, r.readVarint(), r.readVarint())) return false;
      link.controlReceived++;
      return true;
    }
    // Counted as received even if it turns out malformed (the sender is refused then anyway).
    link.controlReceived++;
    this.#dispatch(link, op, r);
    return true;
  }

  #dispatch(link: PeerLink, op: number, r: BitReader): void {
    switch (op) {
      case Op.Types:
        link.types = this.rep.types.read(r);
        return;
      case Op.Spawn:
        return this.#receiveSpawn(link, r, false);
      case Op.SpawnRequest:
        return this.#receiveSpawn(link, r, true);
      case Op.Despawn:
        return this.#receiveDespawn(link, r.readVarint(), false);
      case Op.DespawnRequest:
        return this.#receiveDespawn(link, r.readVarint(), true);
      case Op.Update:
        return this.#receiveUpdate(link, r);
      case Op.Missing:
        return this.rep.ownership.receiveMissing(link, r.readVarint());
      case Op.Accepted:
        return this.#receiveAccepted(link, r.readVarint());
      case Op.Refused:
        return this.#receiveRefused(link, r.readVarint(), r.readVarint());
      default:
        throw new BadPacketError(`unknown replication control op ${op}`);
    }
  }

  #receiveSpawn(link: PeerLink, r: BitReader, request: boolean): void {
    const rep = this.rep;
    const session = rep.session;
    const head = readSpawnHead(r);
    const info = link.types[head.typeIndex];
    if (info === 'mismatch' || info === undefined) {
      const error = new ReplicationError(
        'E_SCHEMA_MISMATCH',
        `${link.peer} spawned type #${head.typeIndex}, which is ${info ? 'declared differently here' : 'not registered here'}`,
      );
      if (request) this.#refuseRequest(link, head.id, error);
      else rep.refuse(error);
      return;
    }
    const body: SpawnBody = { ...head, ...readSpawnFields(r, info) };
    const owner = request ? link.peer : rep.peerAt(head.ownerIndex);
    if (owner === undefined) throw new BadPacketError(`spawn names unknown owner #${head.ownerIndex}`);
    if (request) {
      if (!session.isHost || session.topology !== 'host')
        throw new BadPacketError('spawn request to a peer that is not a star host');
      if (!rep.ownsNamespace(link.peer, head.id) || rep.entries.has(head.id)) {
        return this.#refuseRequest(
          link,
          head.id,
          new ReplicationError('E_REFUSED', `object id ${head.id} is not yours to use`),
        );
      }
      try {
        this.rep.spawner.checkLimit(info, link.peer);
      } catch (error) {
        return this.#refuseRequest(link, head.id, error as ReplicationError);
      }
    } else {
      const fromHost = link.peer === session.hostId;
      const meshOwner =
        session.topology === 'mesh' && owner === link.peer && rep.ownsNamespace(link.peer, head.id);
      if (!fromHost && !meshOwner)
        throw new BadPacketError('spawn from a peer that may not spawn this object');
      if (session.topology === 'mesh' && !fromHost) {
        try {
          this.rep.spawner.checkLimit(info, link.peer);
        } catch (error) {
          return rep.refuse(error as ReplicationError, link.peer);
        }
      }
      const existing = rep.entries.get(head.id);
      if (existing && !existing.dead) {
        if (existing.owner === session.id) return; // our own object, announced back
        this.rep.spawner.remove(existing, true);
      }
    }
    const object = new info.type();
    const values = object[CORE].values;
    const { layout } = info;
    for (let s = 0; s < layout.count; s++) {
      const int = layout.ints[s];
      values[layout.fieldIndex[s]!] = int ? int.fromInt(body.always[s] as number) : body.always[s];
    }
    layout.schema.onChange.forEach((f, i) => {
      values[f.index] = body.onChange[i];
    });
    layout.schema.spawn.forEach((f, i) => {
      values[f.index] = body.spawn[i];
    });
    const entry = this.rep.spawner.adopt(object, info, head.id, owner);
    const history = new Received(layout);
    const at = history.reserve(body.key);
    for (let s = 0; s < layout.count; s++) {
      if (layout.ints[s]) history.ints[at + s] = body.always[s] as number;
      else history.refs![at + s] = body.always[s];
    }
    if (entry.source === link.peer) {
      if ((link.refs.get(entry.id)?.expires ?? Number.POSITIVE_INFINITY) !== Number.POSITIVE_INFINITY)
        link.tombstones--;
      link.refs.set(entry.id, {
        id: entry.id,
        layout,
        typeIndex: head.typeIndex,
        history,
        entry,
        expires: Number.POSITIVE_INFINITY,
      });
      rep.sync.snapshot(entry, history, at, body.key);
    }
    if (entry.tracked && link.peer !== owner) {
      // This peer sends the object on (a star host) or owns it: the sender already has this state.
      const ready = entry.owner === session.id && !info.predict;
      this.rep.spawner.open(entry, link, entry.tracked.latest, body.key, ready);
    }
    if (request) {
      // The requester is the object's source: it gets no state for it.
      if (entry.tracked) this.rep.spawner.open(entry, link, entry.tracked.latest, body.key, false);
      this.rep.control.begin(Op.Accepted).writeVarint(entry.id);
      this.rep.control.send(link);
      for (const other of rep.links.values()) {
        if (other !== link && other.greeted && this.rep.spawner.visible(entry, other.peer))
          this.rep.spawner.spawnAt(entry, other);
      }
    }
    rep.events.emit('spawned', { object, remote: true });
  }

  #receiveDespawn(link: PeerLink, id: ObjectId, request: boolean): void {
    const rep = this.rep;
    const entry = rep.entries.get(id);
    if (!entry || entry.dead) return;
    const session = rep.session;
    const allowed = request
      ? session.isHost && entry.owner === link.peer
      : link.peer === session.hostId || (session.topology === 'mesh' && link.peer === entry.owner);
    if (!allowed) {
      return rep.refuse(
        new ReplicationError('E_UNAUTHORIZED_WRITE', `${link.peer} may not despawn object ${id}`),
        link.peer,
        entry.object,
      );
    }
    if (request) this.rep.spawner.despawnEverywhere(entry, link);
    this.rep.spawner.remove(entry, true);
  }

  #receiveUpdate(link: PeerLink, r: BitReader): void {
    const rep = this.rep;
    const id = r.readVarint();
    const entry = rep.entries.get(id);
    if (!entry || entry.dead) return;
    if (entry.source !== link.peer) {
      // Sent by the former owner before it heard of the transfer: late, not foul.
      if (link.peer === entry.formerSource) return;
      return rep.refuse(
        new ReplicationError(
          'E_UNAUTHORIZED_WRITE',
          `${link.peer} wrote fields of object ${id}, which it does not own`,
        ),
        link.peer,
        entry.object,
      );
    }
    const core = entry.object[CORE];
    for (const [index, value] of readUpdateFields(r, entry.info)) {
      core.values[index] = value;
      // A star host passes the change on to the others.
      if (entry.tracked) core.dirty |= 1 << entry.info.layout.schema.fields[index]!.slot;
    }
  }

  #receiveAccepted(link: PeerLink, id: ObjectId): void {
    const entry = this.rep.entries.get(id);
    if (!entry?.pending) return;
    entry.pending = false;
    if (entry.tracked?.removed === false) link.stream.own().state[entry.tracked.row] = READY;
  }

  #receiveRefused(link: PeerLink, id: ObjectId, code: number): void {
    const rep = this.rep;
    if (link.peer !== rep.session.hostId) throw new BadPacketError('only the host refuses requests');
    const entry = rep.entries.get(id);
    if (!entry || entry.dead) return;
    const error = new ReplicationError(
      errorCodeName(code),
      `the host refused to spawn ${entry.info.name}#${id}`,
    );
    this.rep.spawner.remove(entry, true);
    rep.events.emit('refused', { error, object: entry.object });
  }

  /** Refuses a star client's spawn request, telling it why. */
  #refuseRequest(link: PeerLink, id: ObjectId, error: ReplicationError): void {
    const w = this.rep.control.begin(Op.Refused);
    w.writeVarint(id);
    w.writeVarint(ErrorCode[error.code]);
    this.rep.control.send(link);
    this.rep.refuse(error, link.peer);
  }
}
