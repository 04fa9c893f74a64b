import { BadPacketError, MeshplayError, SessionError } from '../errors.js';
import type { PeerId } from '../ids.js';
import { Channel } from '../transport/channels.js';
import { writePing } from '../wire/encode.js';
import { type Frame, parseDatagram } from '../wire/frames.js';
import { FLAG_SECOND_FORM, Kind } from '../wire/kinds.js';
import type { Link } from './links.js';
import type { Session } from './session.js';

/** Datagrams a `poll`-mode inbox holds at most before refusing more. */
const MAX_INBOX = 65_536;

interface Queued {
  readonly at: number;
  readonly link: Link;
  readonly channel: number;
  readonly data: Uint8Array;
  readonly frames: Frame[];
}

/**
 * The receive path: frames each datagram (refusing it whole if malformed), answers heartbeats at
 * once, and applies the rest now (`inbox: 'immediate'`) or at the next `poll()` (`'poll'`, where
 * only game traffic waits: the handshake and membership never stall behind a game loop).
 */
export class Inbox {
  #queue: Queued[] = [];
  /** When the datagram being applied arrived (scheduler ms). */
  receivedAt = 0;

  constructor(private readonly s: Session) {}

  /** Takes one datagram from a link. */
  receive(peer: PeerId, channel: number, data: Uint8Array): void {
    const link = this.s.links.get(peer);
    if (!link || link.closing || this.s.closed) return;
    const now = this.s.scheduler.now();
    link.lastHeard = now;
    this.receivedAt = now;
    let frames: Frame[];
    try {
      frames = parseDatagram(data);
    } catch (error) {
      return this.s.violation(asMeshplayError(error), peer);
    }
    if (frames.length === 1 && frames[0]!.kind === Kind.Ping) return this.#ping(link, frames[0]!);
    if (this.s.options.inbox === 'immediate') return this.#apply(link, channel, data, frames);
    const later = frames.filter((frame) => isGameTraffic(frame.kind));
    if (later.length < frames.length) {
      this.#apply(
        link,
        channel,
        data,
        frames.filter((frame) => !isGameTraffic(frame.kind)),
      );
    }
    if (later.length === 0) return;
    if (this.#queue.length >= MAX_INBOX) {
      return this.s.emit('error', {
        error: new SessionError('E_RATE_LIMITED', 'inbox full: call poll()'),
        peer,
      });
    }
    this.#queue.push({ at: now, link, channel, data, frames: later });
  }

  /** Applies everything queued, in arrival order. */
  poll(): void {
    const queue = this.#queue;
    this.#queue = [];
    for (const item of queue) {
      if (this.s.closed) return;
      this.receivedAt = item.at;
      this.#apply(item.link, item.channel, item.data, item.frames);
    }
  }

  #apply(link: Link, channel: number, data: Uint8Array, frames: Frame[]): void {
    // The link a datagram came on, not whichever link has its peer now: a frame that closes it (a
    // kick, a goodbye) stops the rest, even if the peer has linked again since.
    for (const frame of frames) {
      if (link.closed || link.closing || this.s.closed) return;
      try {
        if (frame.kind === Kind.Ping) this.#ping(link, frame);
        else this.s.membership.apply(link, channel, data, frame);
      } catch (error) {
        return this.s.violation(asMeshplayError(error), link.peer);
      }
    }
  }

  /** Heartbeats are answered at once, whatever the inbox mode, so RTTs stay honest. */
  #ping(link: Link, frame: Frame): void {
    if (frame.flags & FLAG_SECOND_FORM) {
      link.rttMs = ((Math.floor(this.s.scheduler.now()) >>> 0) - frame.number) >>> 0;
      return;
    }
    this.s.scratch.reset();
    writePing(this.s.scratch, frame.number, true);
    this.s.router.sendDirect(link.peer, Channel.Unreliable, this.s.scratch.view());
  }
}

function isGameTraffic(kind: number): boolean {
  return kind === Kind.Rpc || kind === Kind.Result || kind === Kind.Raw || kind >= Kind.FirstPlugin;
}

function asMeshplayError(error: unknown): MeshplayError {
  if (error instanceof MeshplayError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new BadPacketError(`message could not be applied: ${message}`, { cause: error });
}
