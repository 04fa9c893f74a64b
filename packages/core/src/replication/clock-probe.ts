import { BadPacketError } from '../errors.js';
import type { BitReader } from './bits.js';
import type { PeerLink } from './entry.js';
import { RepKind } from './messages.js';
import type { Replication } from './replication.js';

/** Clock probes: every 100 ms for the first second, then every second. */
const FAST_PROBES = 10;
const FAST_PROBE_MS = 100;
const SLOW_PROBE_MS = 1000;

const PROBE_OP = 0;
const ANSWER_OP = 1;

/**
 * The Clock messages: a client probes the host, the host answers with its timeline and how long
 * the probe waited for a poll, and the client's {@link ClockSync} takes the sample, timed by the
 * answer's arrival.
 */
export class ClockProbe {
  #probes = 0;
  #nextProbe = 0;

  constructor(private readonly rep: Replication) {}

  /** Client: sends a probe when one is due. */
  probe(now: number): void {
    const rep = this.rep;
    const session = rep.session;
    if (session.isHost || now < this.#nextProbe || !session.hostId) return;
    this.#nextProbe = now + (this.#probes++ < FAST_PROBES ? FAST_PROBE_MS : SLOW_PROBE_MS);
    const w = rep.writer;
    w.reset();
    w.writeBits(PROBE_OP, 8);
    w.writeFloat64(now);
    rep.send(session.hostId, RepKind.Clock, w.finish());
  }

  /** A probe (host) or an answer (client). */
  receive(link: PeerLink, r: BitReader): void {
    const rep = this.rep;
    const session = rep.session;
    const op = r.readBits(8);
    const sentAt = r.readFloat64();
    if (op === PROBE_OP) {
      if (!session.isHost) return;
      // The answer says how long the probe waited here (a polling inbox applies it up to a tick
      // after it arrived), so that the client takes the wait out of the round trip.
      const now = rep.scheduler.now();
      const w = rep.writer;
      w.reset();
      w.writeBits(ANSWER_OP, 8);
      w.writeFloat64(sentAt);
      w.writeFloat64(rep.timeline());
      w.writeFloat64(Math.max(0, now - rep.io.receivedAt()));
      rep.send(link.peer, RepKind.Clock, w.finish());
      return;
    }
    if (op !== ANSWER_OP) throw new BadPacketError(`unknown clock op ${op}`);
    const hostTime = r.readFloat64();
    const held = r.readFloat64();
    if (link.peer !== session.hostId) return;
    rep.clock.addSample(sentAt, hostTime, rep.io.receivedAt(), held);
  }
}
