import { BadPacketError, SessionError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Entry, PeerLink } from './entry.js';
import { ReplicationError } from './errors.js';
import { Op } from './messages.js';
import type { NetworkObject, ObjectId } from './network-object.js';
import type { Replication } from './replication.js';
import { sourceOf } from './roles.js';
import { HELD } from './slots.js';

/**
 * Moves objects between owners, always on the host's word.
 *
 * Star: the host sends Owner to everyone who has the object; the new owner starts sending the
 * state to the host (whole first), the old one starts receiving it once it knows.
 *
 * Mesh: the host sends Owner to every peer, and each applies it on receipt. The new owner then
 * sends its own Owner claim to every peer and starts sending an object's state there (whole first)
 * only once that peer confirms the claim — and a peer confirms it only after the host's word has
 * reached it (until then the claim, and whatever follows it on that link, waits). State the old
 * owner sent before it knew lands on a tombstone and its trailing updates are ignored. When the
 * host leaves, every peer hands the objects it owned to the newly elected host the same way,
 * without a message (the election is deterministic); the new host claims them.
 */
export class Ownership {
  constructor(private readonly rep: Replication) {}

  /** Host: gives an object to another peer (or takes it back). */
  transfer(object: NetworkObject, owner: PeerId): void {
    const rep = this.rep;
    const session = rep.session;
    const entry = rep.byObject.get(object);
    if (!entry || entry.dead) throw new ReplicationError('E_UNKNOWN_OBJECT', 'this object is not spawned');
    if (!session.isHost)
      throw new ReplicationError('E_UNAUTHORIZED_RPC', 'only the host transfers ownership');
    if (owner !== session.id && !session.peers().includes(owner)) {
      throw new SessionError('E_PEER_LEFT', `${owner} is not in the session`);
    }
    if (entry.owner === owner) return;
    if (session.topology === 'mesh') {
      // Everyone hears it from the host; the new owner then claims the object peer by peer (the
      // host itself claims it in apply()).
      if (owner !== session.id) for (const link of rep.links.values()) this.#sendOwner(link, entry, owner);
      this.apply(entry, owner);
      return;
    }
    const previous = entry.owner;
    entry.owner = owner;
    rep.refreshWritable(entry);
    const ownerIndex = session.indexOf(owner)!;
    const newLink = rep.links.get(owner);
    const row = entry.tracked!.row;
    if (newLink && !newLink.stream.slots.has(row)) this.rep.spawner.spawnAt(entry, newLink);
    for (const link of rep.links.values()) {
      if (!link.stream.slots.has(row)) continue;
      const index = this.#sendOwner(link, entry, owner, ownerIndex);
      if (link.peer === previous) {
        // The old owner now receives the state: whole first, once it knows it lost the object.
        this.rep.control.await(link, row, index);
        link.stream.own().forget(row);
      } else if (link.peer === owner) {
        link.stream.own().state[row] = HELD;
        this.rep.control.dropWaiting(link, row);
      }
    }
    this.#moveSource(entry);
    rep.events.emit('owner-changed', { object, owner, previous });
  }

  /**
   * An Owner message: the host moving an object, or (mesh) its new owner claiming it. Returns
   * false for a claim the host has not confirmed here yet (to be kept for later).
   */
  receiveOwner(link: PeerLink, id: ObjectId, ownerIndex: number): boolean {
    const rep = this.rep;
    const session = rep.session;
    const entry = rep.entries.get(id);
    const owner = rep.peerAt(ownerIndex);
    const mesh = session.topology === 'mesh';
    const claim = mesh && owner === link.peer && link.peer !== session.hostId;
    if (link.peer !== session.hostId && !claim) throw new BadPacketError('only the host moves ownership');
    if (!entry || entry.dead || owner === undefined) {
      // A claimant must not send state for an object this peer does not have.
      if (mesh && owner === link.peer) {
        this.rep.control.begin(Op.Missing).writeVarint(id);
        this.rep.control.send(link);
      }
      return true;
    }
    if (claim) return entry.owner === owner;
    if (session.topology === 'host') this.#starOwner(link, entry, owner);
    else this.apply(entry, owner);
    return true;
  }

  /** A peer does not have an object this peer claimed: it gets no state for it. */
  receiveMissing(link: PeerLink, id: ObjectId): void {
    const entry = this.rep.entries.get(id);
    if (entry?.tracked && entry.owner === this.rep.session.id) {
      this.rep.control.dropWaiting(link, entry.tracked.row);
      link.stream.own().reset(entry.tracked.row);
    }
  }

  /**
   * Mesh: `owner` owns `entry` from now on, here. The new owner starts sending it (after each
   * peer confirms its claim); the old one stops and receives it instead.
   */
  apply(entry: Entry, owner: PeerId): void {
    const rep = this.rep;
    const self = rep.session.id;
    const previous = entry.owner;
    if (previous === owner) return;
    entry.owner = owner;
    rep.refreshWritable(entry);
    if (previous === self) rep.spawner.untrack(entry);
    if (owner === self && !entry.tracked) {
      rep.spawner.track(entry);
      for (const link of rep.links.values()) {
        // Whole first, once the peer has taken in the claim.
        link.stream.own().open(entry.tracked!.row, -1, -1);
        rep.control.await(link, entry.tracked!.row, this.#sendOwner(link, entry, owner));
      }
    }
    this.#moveSource(entry);
    rep.events.emit('owner-changed', { object: entry.object, owner, previous });
    rep.receiver.retryDeferred();
  }

  /** Mesh: `peer` left; what it owned goes to the host (or away, if the options say so). */
  ownerLeft(peer: PeerId, wasHost: boolean): void {
    const rep = this.rep;
    const session = rep.session;
    for (const entry of [...rep.entries.values()]) {
      if (entry.dead || entry.owner !== peer) continue;
      // The host's objects wait for the election (hostChanged); others follow the options.
      if (wasHost) continue;
      if (rep.options.ownerLeft === 'host' && session.hostId !== undefined) this.apply(entry, session.hostId);
      else rep.spawner.remove(entry, true);
    }
  }

  /** Mesh: `host` was elected after `previous` left: it takes over what `previous` owned. */
  hostChanged(host: PeerId, previous: PeerId | undefined): void {
    if (previous === undefined || this.rep.session.topology !== 'mesh') return;
    for (const entry of [...this.rep.entries.values()]) {
      if (!entry.dead && entry.owner === previous) this.apply(entry, host);
    }
  }

  /** Star: the host moved an object. */
  #starOwner(link: PeerLink, entry: Entry, owner: PeerId): void {
    const rep = this.rep;
    const previous = entry.owner;
    entry.owner = owner;
    rep.refreshWritable(entry);
    const self = rep.session.id;
    if (owner === self && !entry.info.predict && !entry.tracked) {
      this.rep.spawner.track(entry);
      // The host gets the state whole first.
      this.rep.spawner.open(entry, link, -1, -1, true);
    } else if (previous === self && entry.tracked) {
      this.rep.spawner.untrack(entry);
    }
    this.#moveSource(entry);
    rep.events.emit('owner-changed', { object: entry.object, owner, previous });
  }

  #moveSource(entry: Entry): void {
    const old = entry.source;
    const source = sourceOf(this.rep.session, entry);
    if (old !== source) entry.formerSource = old;
    this.rep.spawner.setSource(entry, source, undefined);
  }

  #sendOwner(
    link: PeerLink,
    entry: Entry,
    owner: PeerId,
    ownerIndex = this.rep.session.indexOf(owner)!,
  ): number {
    const w = this.rep.control.begin(Op.Owner);
    w.writeVarint(entry.id);
    w.writeVarint(ownerIndex);
    return this.rep.control.send(link);
  }
}
