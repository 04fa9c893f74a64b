import { BadPacketError, ErrorCode, SessionError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Destination } from '../rpc/rpc-layer.js';
import { DIRECT, type Route, writeRelayed, writeResult } from '../wire/encode.js';
import type { Frame } from '../wire/frames.js';
import { FLAG_KIND_SPECIFIC, FLAG_RELAYED, Kind, Target } from '../wire/kinds.js';
import { ByteWriter } from '../wire/writer.js';
import type { Link } from './links.js';
import type { Member } from './peer-table.js';
import type { Session } from './session.js';

/** Writes one routed message for a given route. */
export type Encode = (w: ByteWriter, route: Route) => void;

/**
 * Turns "to everyone / one peer / all but one" into datagrams on links, and relays: in star
 * topology a client sends one message to the host, which stamps the sender's index and forwards
 * it; in a mesh every peer sends directly, falling back to the host for a peer it has no link to.
 */
export class Router {
  readonly #message = new ByteWriter();
  readonly #relay = new ByteWriter();
  /** Messages that could not reach a recipient (no link, no route). */
  unroutable = 0;

  constructor(private readonly s: Session) {}

  /** Queues an unrouted message on a link, if the link is up; control messages are `urgent`. */
  sendDirect(peer: PeerId, channel: number, bytes: Uint8Array, urgent = true): void {
    if (this.s.links.has(peer)) this.s.outbox.push(peer, channel, bytes, urgent);
    else this.unroutable++;
  }

  /** Queues a routed message for `dest`; `visible` filters recipients (object visibility). */
  send(dest: Destination, channel: number, encode: Encode, visible?: (peer: PeerId) => boolean): void {
    const { membership } = this.s;
    if (membership.state !== 'connected') {
      throw new SessionError('E_NOT_CONNECTED', 'not in a session yet: await session.ready() first');
    }
    const self = this.s.id;
    let named: Member | undefined;
    if (dest.kind !== 'all' && dest.peer !== self) {
      named = membership.table.byId(dest.peer);
      if (!named) throw new SessionError('E_PEER_LEFT', `${dest.peer} is not a member of this session`);
    }
    if (this.s.topology === 'host' && !this.s.isHost) return this.#viaHost(dest, named, channel, encode);
    const w = this.#message;
    w.reset();
    encode(w, DIRECT);
    const bytes = w.view();
    if (dest.kind === 'one') {
      // One recipient (requests, results): no walk over the members.
      if (named && (!visible || visible(named.id))) this.#to(named, channel, bytes, encode);
      return;
    }
    for (const member of membership.table.members()) {
      const peer = member.id;
      if (peer === self) continue;
      if (dest.kind === 'except' && peer === dest.peer) continue;
      if (visible && !visible(peer)) continue;
      this.#to(member, channel, bytes, encode);
    }
  }

  /** Queues `bytes` on `member`'s link, or through the host when this peer has no link to it. */
  #to(member: Member, channel: number, bytes: Uint8Array, encode: Encode): void {
    const { membership } = this.s;
    if (this.s.links.has(member.id)) {
      this.s.outbox.push(member.id, channel, bytes);
    } else if (!this.s.isHost && membership.hostId && this.s.links.has(membership.hostId)) {
      this.#relay.reset();
      encode(this.#relay, { target: Target.One, index: member.index, from: -1 });
      this.s.outbox.push(membership.hostId, channel, this.#relay.view());
    } else {
      this.unroutable++;
    }
  }

  /** Applies a routed frame from a trusted link: deliver it here, forward it (host), or both. */
  receive(link: Link, channel: number, data: Uint8Array, frame: Frame): void {
    const { table } = this.s.membership;
    if (frame.flags & FLAG_RELAYED) {
      if (this.s.isHost || link.peer !== this.s.hostId) throw new BadPacketError('only the host may relay');
      if (frame.target !== Target.Direct) throw new BadPacketError('a relayed message must be direct');
      const origin = table.byIndex(frame.from);
      if (!origin) return; // the sender left while its message was in flight
      return this.s.deliver(link.peer, channel, data, frame, origin.id, false);
    }
    const sender = link.peer;
    if (frame.target === Target.Direct) return this.s.deliver(sender, channel, data, frame, sender, false);
    if (!this.s.isHost) throw new BadPacketError('only the host relays: a routed message reached a client');
    this.#forward(sender, channel, data, frame);
  }

  #viaHost(dest: Destination, named: Member | undefined, channel: number, encode: Encode): void {
    const host = this.s.hostId!;
    let route: Route;
    if (dest.kind === 'all' || (dest.kind === 'except' && dest.peer === this.s.id)) {
      route = { target: Target.All, index: 0, from: -1 };
    } else if (dest.kind === 'one' && dest.peer === host) {
      route = DIRECT;
    } else {
      // `named` is unset only for this peer itself (bytes sent to oneself go round the host).
      const index = (named ?? this.s.membership.table.byId(dest.peer)!).index;
      route = { target: dest.kind === 'one' ? Target.One : Target.AllExcept, index, from: -1 };
    }
    this.#message.reset();
    encode(this.#message, route);
    this.sendDirect(host, channel, this.#message.view(), false);
  }

  #forward(sender: PeerId, channel: number, data: Uint8Array, frame: Frame): void {
    const { table } = this.s.membership;
    const self = this.s.id;
    let visible: ((peer: PeerId) => boolean) | undefined;
    if (frame.kind === Kind.Rpc) {
      const refusal = this.s.rpcLayer.check(frame, sender);
      if (refusal) {
        if (frame.flags & FLAG_KIND_SPECIFIC)
          this.#answer(sender, frame.number, ErrorCode[refusal.code], refusal.message);
        return this.s.violation(refusal, sender);
      }
      const node = this.s.rpcLayer.nodeOf(frame);
      visible = node?.visibleTo?.bind(node);
    }
    const named = frame.target === Target.All ? undefined : table.byIndex(frame.index);
    if (frame.target === Target.One && !named) {
      if (frame.kind === Kind.Rpc && frame.flags & FLAG_KIND_SPECIFIC) {
        this.#answer(sender, frame.number, ErrorCode.E_PEER_LEFT, 'the target is not in the session');
      }
      return;
    }
    const senderIndex = table.byId(sender)!.index;
    const w = this.#relay;
    w.reset();
    writeRelayed(w, data, frame.kind | frame.flags, senderIndex, frame.routedStart, frame.end);
    const bytes = w.view();
    for (const member of table.members()) {
      const peer = member.id;
      if (peer === self || peer === sender) continue;
      if (frame.target === Target.One && peer !== named!.id) continue;
      if (frame.target === Target.AllExcept && peer === named?.id) continue;
      if (visible && !visible(peer)) continue;
      this.sendDirect(peer, channel, bytes);
    }
    const includesSelf =
      frame.target === Target.All ||
      (frame.target === Target.One && named!.id === self) ||
      (frame.target === Target.AllExcept && named?.id !== self);
    if (includesSelf) this.s.deliver(sender, channel, data, frame, sender, true);
  }

  #answer(to: PeerId, requestId: number, code: number, message: string): void {
    this.#message.reset();
    writeResult(this.#message, DIRECT, requestId, code, message);
    this.sendDirect(to, 0, this.#message.view());
  }
}
