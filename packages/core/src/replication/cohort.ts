import type { StateStream } from './state-stream.js';

/** Ticks a stream waits after a failed attempt to join a cohort before it tries again. */
const JOIN_RETRY_TICKS = 16;

/**
 * Receivers in lockstep: they have been sent the same packets, filed the same states and
 * acknowledged the same packets at the same ticks, so what the sender knows about them is the same.
 * A cohort keeps that knowledge once — its members share one {@link Slots} — and builds once per
 * tick: the leader builds as if alone, the others get its datagrams under their own sequence
 * numbers and mirror its packet records. Acks wait until the cohort settles at its next build; a
 * member whose acks differ from the leader's leaves with a copy of the slots first, and so does a
 * member about to be changed alone (a spawn, a resync: {@link StateStream.own}). Members join when
 * they reuse an encoding and turn out to be in exactly the same state as its stream.
 */
export class Cohort {
  readonly members: StateStream[] = [];
  /** Per member: its sequence numbers minus the leader's (constant while in lockstep). */
  readonly #offsets = new Map<StateStream, number>();
  #tick = Number.NaN;
  #datagrams: Uint8Array[] = [];
  /** Per member: the sequence numbers of this tick's datagrams. */
  readonly #seqs = new Map<StateStream, number[]>();

  private constructor(leader: StateStream) {
    this.members.push(leader);
    this.#offsets.set(leader, 0);
    leader.cohort = this;
  }

  /** The member that builds and applies per-object effects. */
  get leader(): StateStream {
    return this.members[0]!;
  }

  /**
   * `stream` just reused `source`'s encoding this tick: joins `source` (forming a cohort if it
   * has none) if their slots and records are exactly alike. Returns whether it joined.
   */
  static tryJoin(source: StateStream, stream: StateStream, tick: number): boolean {
    if (stream.cohort || stream.table !== source.table || tick < stream.joinRetry) return false;
    const cohort = source.cohort;
    if (cohort && cohort.leader !== source) return false;
    if (
      stream.deferred.length > 0 ||
      source.deferred.length > 0 ||
      stream.idleTicks !== source.idleTicks ||
      !stream.slots.equals(source.slots) ||
      !stream.sameRecords(source)
    ) {
      stream.joinRetry = tick + JOIN_RETRY_TICKS;
      return false;
    }
    const joined = cohort ?? new Cohort(source);
    joined.members.push(stream);
    joined.#offsets.set(stream, stream.nextSeq - source.nextSeq);
    stream.cohort = joined;
    stream.shareSlots(source.slots);
    // It got this tick's datagrams already, under its own sequence numbers.
    joined.#seqs.delete(stream);
    return true;
  }

  /**
   * This tick's datagrams for `member`: built once for the cohort (`buildAlone` builds for the
   * leader), then renumbered for each member. Views valid until the next build, like any.
   */
  build(
    member: StateStream,
    tick: number,
    now: number,
    buildAlone: (stream: StateStream) => Uint8Array[],
  ): Uint8Array[] {
    if (member.owed === this) member.owed = undefined;
    if (this.#tick !== tick && member.cohort === this) {
      this.#tick = tick;
      this.#seqs.clear();
      this.#settle();
      if (this.members.length > 1) this.#run(tick, now, buildAlone);
    }
    const seqs = this.#tick === tick ? this.#seqs.get(member) : undefined;
    if (!seqs) {
      // Not (or no longer) a member: alone. A member that joined during this tick has its datagrams.
      return member.cohort === this ? [] : buildAlone(member);
    }
    const out = this.#datagrams;
    for (let d = 0; d < out.length; d++) {
      const bytes = out[d]!;
      bytes[0] = (seqs[d]! >>> 8) & 0xff;
      bytes[1] = seqs[d]! & 0xff;
    }
    this.#seqs.delete(member);
    return out.slice();
  }

  /** `stream` leaves, taking a copy of the slots and applying its own deferred acks. */
  leave(stream: StateStream): void {
    if (!this.#offsets.has(stream)) return;
    const copy = stream.slots.clone();
    this.#drop(stream);
    stream.privateSlots(copy);
    stream.settle();
  }

  /** `stream` closed: it leaves without a copy. */
  remove(stream: StateStream): void {
    if (!this.#offsets.has(stream)) return;
    const slots = stream.slots;
    const shared = this.members.some((m) => m !== stream && m.slots === slots);
    this.#drop(stream);
    stream.owed = undefined;
    if (!shared) stream.table.detach(slots);
  }

  #drop(stream: StateStream): void {
    const wasLeader = this.leader === stream;
    this.members.splice(this.members.indexOf(stream), 1);
    this.#offsets.delete(stream);
    stream.cohort = undefined;
    // Datagrams already recorded for it this tick are still its to send.
    if (this.#seqs.has(stream)) stream.owed = this;
    if (wasLeader && this.members.length > 0) {
      // Offsets are relative to the leader.
      const base = this.#offsets.get(this.leader)!;
      for (const [member, offset] of this.#offsets) this.#offsets.set(member, offset - base);
    }
    if (this.members.length === 1) {
      const last = this.members.pop()!;
      this.#offsets.clear();
      last.cohort = undefined;
      if (this.#seqs.has(last)) last.owed = this;
      last.settle();
    }
  }

  /** Applies the tick's acks: once to the shared slots if every member got the leader's acks. */
  #settle(): void {
    const leader = this.leader;
    const expected = leader.deferred;
    for (const member of [...this.members]) {
      if (member === leader) continue;
      const offset = this.#offsets.get(member)!;
      const got = member.deferred;
      let same = got.length === expected.length;
      for (let i = 0; same && i < got.length; i += 3) {
        same = got[i]! - offset === expected[i] && got[i + 1] === expected[i + 1];
      }
      if (!same) this.leave(member);
    }
    if (this.members.length < 2) {
      leader.settle();
      return;
    }
    const changes: number[] = [];
    leader.changes = changes;
    leader.settle();
    leader.changes = undefined;
    for (const member of this.members) {
      if (member === leader) continue;
      // Its own statuses and round trip; the per-object effects were the leader's.
      member.settle();
      member.mirror(leader, changes, this.#offsets.get(member)!);
    }
  }

  #run(tick: number, now: number, buildAlone: (stream: StateStream) => Uint8Array[]): void {
    const leader = this.leader;
    const first = leader.nextSeq;
    const changes: number[] = [];
    leader.changes = changes;
    const out = buildAlone(leader);
    leader.changes = undefined;
    this.#datagrams = out;
    const leaderSeqs: number[] = [];
    for (let seq = first; seq < leader.nextSeq; seq++) if (leader.record(seq)!.set) leaderSeqs.push(seq);
    this.#seqs.set(leader, leaderSeqs);
    for (const member of this.members) {
      if (member === leader) continue;
      const offset = this.#offsets.get(member)!;
      member.mirror(leader, changes, offset);
      const seqs: number[] = [];
      let d = 0;
      // The same records (empty ones too, to keep the sequence numbers in step).
      for (let seq = first; seq < leader.nextSeq; seq++) {
        const from = leader.record(seq)!;
        const record = member.open(tick, now);
        if (!from.set) continue;
        record.adopt(from.set, from.from, from.from + from.count);
        member.sent(record, out[d++]!.length);
        seqs.push(record.seq);
      }
      member.idleTicks = leader.idleTicks;
      this.#seqs.set(member, seqs);
    }
  }
}
