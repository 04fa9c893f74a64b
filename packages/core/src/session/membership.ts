import { BadPacketError, ErrorCode, type ErrorCodeName, errorCodeName, SessionError } from '../errors.js';
import { isPeerId, type PeerId } from '../ids.js';
import type { TimerHandle } from '../scheduler.js';
import { Channel } from '../transport/channels.js';
import { writeControl, writeHost, writePeerJoined, writePeerLeft } from '../wire/encode.js';
import type { Frame } from '../wire/frames.js';
import { FLAG_SECOND_FORM, Kind, PROTOCOL_VERSION } from '../wire/kinds.js';
import { decodeValue } from '../wire/msgpack.js';
import type { LeaveCode } from './events.js';
import type { Link } from './links.js';
import { PeerTable } from './peer-table.js';
import { parseServiceTable, type ServiceTable } from './services.js';
import type { Session } from './session.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });

interface Welcome {
  /** The joiner's index. */
  i: number;
  /** The host's index. */
  h: number;
  /** Every member: [index, id]. */
  p: [number, string][];
  /** The service table. */
  s: ServiceTable;
}

/**
 * Who is in the session and who is host: the join handshake (version check, auth hook, refusal
 * with a reason), compact indices, join/leave announcements, kicks, and the deterministic host
 * election of a mesh when its host leaves (the member with the lowest index takes over).
 */
export class Membership {
  role: 'host' | 'client';
  hostId: PeerId | undefined;
  state: 'joining' | 'connected' | 'closed' = 'joining';
  readonly table = new PeerTable();
  readonly ready: Promise<void>;
  #resolve!: () => void;
  #reject!: (error: Error) => void;
  #joinTimer: TimerHandle | undefined;

  constructor(private readonly s: Session) {
    this.role = s.options.role;
    this.ready = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    // A session nobody awaits must not produce an unhandled rejection when it is refused.
    this.ready.catch(() => {});
  }

  /** Host: in at once. Client: waits for a Welcome, within the join timeout. */
  start(): void {
    if (this.role === 'host') {
      this.hostId = this.s.id;
      this.table.add(this.s.id, this.table.allocate());
      this.state = 'connected';
      this.#resolve();
      queueMicrotask(
        () => this.state === 'connected' && this.s.emit('connected', { self: this.s.id, host: this.s.id }),
      );
      return;
    }
    this.#joinTimer = this.s.scheduler.setTimeout(() => {
      if (this.state === 'joining')
        this.#fail('E_TIMEOUT', `no welcome from a host within ${this.s.options.joinTimeoutMs} ms`);
    }, this.s.options.joinTimeoutMs);
  }

  /** A transport link opened. */
  linkOpened(peer: PeerId): void {
    if (this.role === 'host') {
      const link = this.s.links.get(peer)!;
      if (this.table.has(peer)) {
        link.admitted = true; // a mesh member whose link to the new host came up after the election
        return;
      }
      link.helloTimer = this.s.scheduler.setTimeout(
        () => !link.admitted && this.s.dropLink(peer, 'E_TIMEOUT', 'no hello in time'),
        this.s.options.joinTimeoutMs,
      );
    } else if (this.state === 'joining') {
      this.s.scratch.reset();
      writeControl(this.s.scratch, Kind.Hello, {
        v: PROTOCOL_VERSION,
        c: this.s.options.credentials ?? null,
      });
      this.s.router.sendDirect(peer, Channel.Reliable, this.s.scratch.view());
    }
  }

  /** A transport link closed (or timed out). */
  linkLost(peer: PeerId, link: Link, code: ErrorCodeName, reason: string): void {
    if (!this.table.has(peer) || link.closing) {
      if (this.state === 'joining' && this.s.topology === 'host')
        this.#fail('E_NOT_CONNECTED', `link to the host closed: ${reason}`);
      return;
    }
    if (this.role === 'host') return this.#removeMember(peer, code, reason);
    if (peer === this.hostId) {
      if (this.s.topology === 'host') return this.#fail('E_HOST_LEFT', `the host is gone (${reason})`);
      return this.#hostGone(code, reason);
    }
    // A mesh link to another client closed: membership is the host's call; traffic now relays.
  }

  /** Applies one control or routed frame from a link. */
  apply(link: Link, channel: number, data: Uint8Array, frame: Frame): void {
    const peer = link.peer;
    switch (frame.kind) {
      case Kind.Hello:
        if (this.role === 'host' && !link.admitted && this.state === 'connected')
          this.#hello(link, data, frame);
        return;
      case Kind.Welcome:
        if (this.state === 'joining') this.#welcome(peer, data, frame);
        return;
      case Kind.Goodbye:
        return this.#goodbye(peer, link, frame.number, utf8.decode(data.subarray(frame.start, frame.end)));
      case Kind.Error: {
        const code = errorCodeName(frame.number);
        const reason = utf8.decode(data.subarray(frame.start, frame.end));
        this.s.emit('refused', { by: peer, code, reason });
        return;
      }
    }
    if (!this.#trusted(link)) {
      if (this.role === 'host') throw new BadPacketError('message before the handshake completed');
      // Mesh: a new member's link can beat the host's announcement of it. Keep a few datagrams.
      if (link.early.length < this.s.options.maxEarlyDatagrams && !link.early.some((e) => e.data === data)) {
        link.early.push({ channel, data });
      }
      return;
    }
    switch (frame.kind) {
      case Kind.Peer:
        return this.#peerAnnounced(peer, data, frame);
      case Kind.Services:
        if (peer !== this.hostId) throw new BadPacketError('only the host announces services');
        return this.s.services.applyTable(
          parseServiceTable(decodeValue(data.subarray(frame.start, frame.end))),
        );
      case Kind.Host:
        return this.#hostAnnounced(peer, frame.index);
      case Kind.Rpc:
      case Kind.Result:
      case Kind.Raw:
        return this.s.router.receive(link, channel, data, frame);
      default:
        if (!this.table.has(peer)) throw new BadPacketError('plugin message from a non-member');
        return this.s.deliver(peer, channel, data, frame, peer, false);
    }
  }

  /** Host: removes `peer`, telling it why. */
  kick(peer: PeerId, reason: string): void {
    if (!this.table.has(peer) || peer === this.s.id) return;
    this.s.dropLink(peer, 'E_KICKED', reason);
    this.#removeMember(peer, 'E_KICKED', reason);
  }

  /** Ends membership (the session is shutting down). */
  stop(code: LeaveCode, reason: string): void {
    if (this.#joinTimer !== undefined) this.s.scheduler.clearTimeout(this.#joinTimer);
    const wasIn = this.state !== 'closed';
    const wasJoining = this.state === 'joining';
    this.state = 'closed';
    if (wasJoining) this.#reject(new SessionError(code === 'left' ? 'E_SESSION_CLOSED' : code, reason));
    if (wasIn) this.s.emit('disconnected', { code, reason });
  }

  #trusted(link: Link): boolean {
    if (this.role === 'host') return link.admitted;
    return link.peer === this.hostId || (this.state === 'connected' && this.table.has(link.peer));
  }

  #hello(link: Link, data: Uint8Array, frame: Frame): void {
    const peer = link.peer;
    const hello = decodeValue(data.subarray(frame.start, frame.end)) as { v?: unknown; c?: unknown } | null;
    if (!hello || typeof hello !== 'object' || typeof hello.v !== 'number')
      throw new BadPacketError('malformed hello');
    if (hello.v !== PROTOCOL_VERSION) {
      return this.s.dropLink(
        peer,
        'E_PROTOCOL_VERSION',
        `protocol version ${PROTOCOL_VERSION} expected, got ${hello.v}`,
      );
    }
    if (this.s.refuseNewPeers) return this.s.dropLink(peer, 'E_REFUSED', 'the session accepts no new peers');
    const auth = this.s.options.auth;
    if (!auth) return this.#admit(link);
    link.admitted = false;
    const timeoutMs = this.s.options.authTimeoutMs;
    let settled = false;
    const timer = this.s.scheduler.setTimeout(() => {
      if (settled) return;
      settled = true;
      this.s.dropLink(peer, 'E_AUTH_TIMEOUT', `auth did not answer within ${timeoutMs} ms`);
    }, timeoutMs);
    const decide = (verdict: unknown) => {
      if (settled) return;
      settled = true;
      this.s.scheduler.clearTimeout(timer);
      if (!this.s.links.has(peer) || this.state !== 'connected') return;
      if (verdict === true) return this.#admit(link);
      this.s.dropLink(peer, 'E_AUTH_REFUSED', typeof verdict === 'string' ? verdict : 'refused by the host');
    };
    try {
      Promise.resolve(auth(peer, hello.c)).then(decide, (error) =>
        decide(`auth failed: ${(error as Error)?.message}`),
      );
    } catch (error) {
      decide(`auth failed: ${(error as Error)?.message}`);
    }
  }

  #admit(link: Link): void {
    const peer = link.peer;
    link.admitted = true;
    if (link.helloTimer !== undefined) this.s.scheduler.clearTimeout(link.helloTimer);
    const member = this.table.add(peer, this.table.allocate());
    const welcome: Welcome = {
      i: member.index,
      h: this.table.byId(this.s.id)!.index,
      p: this.table.members().map((m) => [m.index, m.id]),
      s: this.s.services.table(),
    };
    this.s.scratch.reset();
    writeControl(this.s.scratch, Kind.Welcome, welcome);
    this.s.router.sendDirect(peer, Channel.Reliable, this.s.scratch.view());
    this.s.scratch.reset();
    writePeerJoined(this.s.scratch, member.index, peer);
    const announcement = this.s.scratch.toBytes();
    for (const other of this.table.members()) {
      if (other.id !== peer && other.id !== this.s.id)
        this.s.router.sendDirect(other.id, Channel.Reliable, announcement);
    }
    this.s.emit('peer-joined', { peer });
    for (const plugin of this.s.plugins) plugin.peerJoined?.(peer);
  }

  #welcome(peer: PeerId, data: Uint8Array, frame: Frame): void {
    const welcome = decodeValue(data.subarray(frame.start, frame.end)) as Welcome;
    if (
      !welcome ||
      !Array.isArray(welcome.p) ||
      typeof welcome.i !== 'number' ||
      typeof welcome.h !== 'number'
    ) {
      throw new BadPacketError('malformed welcome');
    }
    for (const entry of welcome.p) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'number' || !isPeerId(entry[1])) {
        throw new BadPacketError('malformed welcome member');
      }
    }
    const table = parseServiceTable(welcome.s);
    const host = welcome.p.find(([index]) => index === welcome.h);
    if (host?.[1] !== peer) throw new BadPacketError('welcome from a peer that is not the host');
    if (this.#joinTimer !== undefined) this.s.scheduler.clearTimeout(this.#joinTimer);
    for (const [index, id] of welcome.p) this.table.add(id, index);
    if (this.table.byId(this.s.id)?.index !== welcome.i)
      throw new BadPacketError('welcome does not list this peer');
    this.hostId = peer;
    this.state = 'connected';
    this.s.services.applyTable(table);
    this.#resolve();
    this.s.emit('connected', { self: this.s.id, host: peer });
    for (const id of this.table.members().map((m) => m.id)) {
      if (id === this.s.id) continue;
      this.s.emit('peer-joined', { peer: id });
      for (const plugin of this.s.plugins) plugin.peerJoined?.(id);
      this.#replayEarly(id);
    }
  }

  #goodbye(peer: PeerId, link: Link, code: number, reason: string): void {
    const leave = leaveCode(code);
    if (this.role === 'client' && (peer === this.hostId || this.state === 'joining')) {
      // Only a host that left hands over; a host that sends this peer away (a kick) ends its session.
      if (this.state === 'joining' || this.s.topology === 'host' || leave !== 'left')
        return this.#fail(leave, reason);
      link.closing = true;
      return this.#hostGone(leave, reason);
    }
    if (!this.table.has(peer)) return;
    link.closing = true;
    // A member saying goodbye speaks for itself; the host also tells everyone else.
    this.#removeMember(peer, leave, reason);
  }

  #peerAnnounced(from: PeerId, data: Uint8Array, frame: Frame): void {
    if (from !== this.hostId || this.role === 'host')
      throw new BadPacketError('only the host announces members');
    if (frame.flags & FLAG_SECOND_FORM) {
      const member = this.table.byIndex(frame.index);
      if (member && member.id !== this.s.id)
        this.#removeMember(member.id, leaveCode(frame.number), 'announced by the host');
      return;
    }
    const id = utf8.decode(data.subarray(frame.start, frame.end));
    if (!isPeerId(id)) throw new BadPacketError('malformed peer id');
    if (this.table.has(id) || this.table.byIndex(frame.index)) return;
    this.table.add(id, frame.index);
    this.s.emit('peer-joined', { peer: id });
    for (const plugin of this.s.plugins) plugin.peerJoined?.(id);
    this.#replayEarly(id);
  }

  #hostAnnounced(from: PeerId, index: number): void {
    // Only a mesh elects; a star's host never changes, and a claim made to a live host is a lie.
    if (this.s.topology !== 'mesh') throw new BadPacketError('host announcement in a star session');
    const member = this.table.byIndex(index);
    if (!member || member.id !== from) throw new BadPacketError('host announcement for another peer');
    if (from === this.hostId) return;
    if (this.role === 'host') throw new BadPacketError('a member claimed the host role from the live host');
    // The same election #hostGone runs: the lowest index once the current host is gone.
    const successor = this.table.members().find((m) => m.id !== this.hostId);
    if (successor?.id !== from) throw new BadPacketError('host announcement out of election order');
    const previous = this.hostId;
    this.hostId = from;
    // The announcer took over because the old host is gone; a peer that hears this before its own
    // heartbeat gives up on the old host must not keep it as a ghost member.
    if (previous !== undefined && this.table.has(previous)) {
      this.#removeMember(previous, 'E_HOST_LEFT', `${from} took over as host`);
    }
    this.s.emit('host-changed', { host: from, previous });
    for (const plugin of this.s.plugins) plugin.hostChanged?.(from, previous);
  }

  #replayEarly(peer: PeerId): void {
    const link = this.s.links.get(peer);
    if (!link || link.early.length === 0) return;
    const early = link.early.splice(0);
    for (const { channel, data } of early) this.s.receive(peer, channel, data);
  }

  #removeMember(peer: PeerId, code: LeaveCode, reason: string): void {
    const member = this.table.remove(peer);
    if (!member) return;
    if (this.role === 'host') {
      this.s.scratch.reset();
      writePeerLeft(this.s.scratch, member.index, code === 'left' ? 0 : ErrorCode[code]);
      const announcement = this.s.scratch.toBytes();
      for (const other of this.table.members()) {
        if (other.id !== this.s.id) this.s.router.sendDirect(other.id, Channel.Reliable, announcement);
      }
    }
    this.s.rpcLayer.peerLeft(peer);
    this.s.emit('peer-left', { peer, code, reason });
    for (const plugin of this.s.plugins) plugin.peerLeft?.(peer);
  }

  /** Mesh: the host left; the member with the lowest index takes over, on every peer alike. */
  #hostGone(code: LeaveCode, reason: string): void {
    const previous = this.hostId!;
    this.#removeMember(previous, code, reason);
    const next = this.table.members()[0];
    if (!next) return this.#fail('E_HOST_LEFT', 'the host left and no member remains');
    this.hostId = next.id;
    if (next.id === this.s.id) {
      this.role = 'host';
      for (const link of this.s.links.all()) link.admitted = this.table.has(link.peer);
      this.s.scratch.reset();
      writeHost(this.s.scratch, next.index);
      const announcement = this.s.scratch.toBytes();
      for (const member of this.table.members()) {
        if (member.id !== this.s.id) this.s.router.sendDirect(member.id, Channel.Reliable, announcement);
      }
    }
    this.s.emit('host-changed', { host: next.id, previous });
    for (const plugin of this.s.plugins) plugin.hostChanged?.(next.id, previous);
  }

  #fail(code: LeaveCode, reason: string): void {
    this.s.shutdown(code, reason);
  }
}

function leaveCode(wire: number): LeaveCode {
  return wire === 0 ? 'left' : errorCodeName(wire);
}
