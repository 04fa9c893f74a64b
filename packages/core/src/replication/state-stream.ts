import type { Cohort } from './cohort.js';
import type { PacketSet } from './packet-set.js';
import type { SendTable } from './send-table.js';
import { ACK_WINDOW, unwrapSeq } from './seq.js';
import { Slots } from './slots.js';

/** How many sent packets a stream remembers for acks (older unacknowledged ones count as lost). */
export const RECORDS = 256;
/** A packet is lost once one sent this many later is acknowledged (reordering tolerance). */
const REORDER_THRESHOLD = 3;

const PENDING = 0;
const ACKED = 1;
const LOST = 2;

/** What one sent packet carried: entries `from` to `from + count` of a {@link PacketSet}, filed under `tick`. */
class PacketRecord {
  seq = -1;
  tick = 0;
  sentAt = 0;
  status = ACKED;
  set: PacketSet | undefined;
  /** The set's {@link PacketSet.id} (kept once the set is let go of, to compare records), 0: none. */
  setId = 0;
  from = 0;
  count = 0;

  /** Lets go of the entries. */
  clear(): void {
    this.release();
    this.setId = 0;
    this.from = 0;
    this.count = 0;
  }

  /**
   * Lets go of the set (the packet was acknowledged: nothing reads its entries again), so that
   * sets go back to their pool within a round trip rather than when the record is reused.
   */
  release(): void {
    this.set?.release();
    this.set = undefined;
  }

  /** Records entries `from`–`to` of `set`. */
  adopt(set: PacketSet, from: number, to: number): void {
    set.retain();
    this.set = set;
    this.setId = set.id;
    this.from = from;
    this.count = to - from;
  }
}

/** Per-stream numbers for diagnostics and benchmarks. */
export interface StreamStats {
  packetsSent: number;
  bytesSent: number;
  packetsAcked: number;
  packetsLost: number;
  entriesSent: number;
}

/**
 * The sending end of the state stream to one receiver: what it has of each object (its
 * {@link Slots}), packet sequence numbers, what each packet carried, acknowledgements, loss
 * detection and a round-trip estimate. Acknowledged packets advance each object's baseline; lost
 * ones make their objects eligible again.
 *
 * In a {@link Cohort} (receivers in lockstep) the slots are shared and only the leader applies
 * per-object effects; the others keep their own sequence numbers, statuses and round trips.
 */
export class StateStream {
  nextSeq = 0;
  /** Ticks since the last tick that sent something (for tail-loss probes). */
  idleTicks = 0;
  /** Smoothed round trip of packets to their acks, ms (0: no sample yet). */
  srtt = 0;
  rttvar = 0;
  readonly stats: StreamStats = {
    packetsSent: 0,
    bytesSent: 0,
    packetsAcked: 0,
    packetsLost: 0,
    entriesSent: 0,
  };
  readonly #records: PacketRecord[] = Array.from({ length: RECORDS }, () => new PacketRecord());
  /** Oldest sequence number that may still be pending. */
  #oldestPending = 0;
  /**
   * Every sequence number below this one is acknowledged or forgotten, so that an ack's walk over
   * the 32 before its newest stops there (usually after a few: most were acknowledged already).
   */
  #oldestUnacked = 0;

  #slots = new Slots();
  /** @internal The receivers in lockstep with this one, if any. */
  cohort: Cohort | undefined;
  /** @internal Acks received while in a cohort, as (latest, mask, time) triples, until it settles. */
  readonly deferred: number[] = [];
  /** @internal While set, the sequence numbers of records whose status changes are noted here. */
  changes: number[] | undefined;
  /** @internal A cohort it left this tick that still holds datagrams recorded for it. */
  owed: Cohort | undefined;
  /** @internal The tick before which it does not try to join a cohort again. */
  joinRetry = 0;

  constructor(
    /** The objects this stream carries state of. */
    readonly table: SendTable,
  ) {
    table.attach(this.#slots);
  }

  /** What the receiver has of each of the table's rows (shared within a cohort: read only). */
  get slots(): Slots {
    return this.#slots;
  }

  /** The slots, to change for this receiver alone (it leaves its cohort first). */
  own(): Slots {
    this.cohort?.leave(this);
    return this.#slots;
  }

  /** Stops following the table (the receiver left). */
  close(): void {
    if (this.cohort) this.cohort.remove(this);
    else this.table.detach(this.#slots);
  }

  /** @internal Uses a cohort's slots (letting go of its own, which equal them). */
  shareSlots(slots: Slots): void {
    if (slots === this.#slots) return;
    this.table.detach(this.#slots);
    this.#slots = slots;
  }

  /** @internal Takes slots of its own again (a copy of the cohort's) and applies its deferred acks. */
  privateSlots(slots: Slots): void {
    this.#slots = slots;
    this.table.attach(slots);
  }

  /** Whether per-object effects are someone else's to apply (a cohort follower). */
  get #follower(): boolean {
    return this.cohort !== undefined && this.cohort.leader !== this;
  }

  /** How long a packet may stay unacknowledged before it counts as lost, ms. */
  get lossTimeoutMs(): number {
    if (this.srtt === 0) return 1000;
    return this.srtt + Math.max(4 * this.rttvar, 25) + 10;
  }

  /** @internal Starts the record of a packet about to be sent. */
  open(tick: number, now: number): PacketRecord {
    const seq = this.nextSeq++;
    const record = this.#records[seq % RECORDS]!;
    if (record.status === PENDING) this.#lose(record);
    record.seq = seq;
    record.tick = tick;
    record.sentAt = now;
    record.status = PENDING;
    record.clear();
    return record;
  }

  /**
   * @internal Notes that `record`'s packet left with `bytes` bytes. `marked`: its entries are
   * marked in flight (and their accumulated priority reset) already, by the writer that wrote them.
   */
  sent(record: PacketRecord, bytes: number, marked = false): void {
    this.stats.packetsSent++;
    this.stats.bytesSent += bytes;
    this.stats.entriesSent += record.count;
    if (!record.set || marked || this.#follower) return;
    const { inflightVid, accum } = this.slots;
    const { rows, vids } = record.set;
    const end = record.from + record.count;
    if (this.slots.waited) {
      for (let i = record.from; i < end; i++) {
        inflightVid[rows[i]!] = vids[i]!;
        accum[rows[i]!] = 0;
      }
    } else for (let i = record.from; i < end; i++) inflightVid[rows[i]!] = vids[i]!;
  }

  /**
   * Applies an acknowledgement: `latestLow` is the low 16 bits of the newest sequence number the
   * receiver has, bit i of `mask` says whether latest - 1 - i arrived.
   */
  acknowledge(latestLow: number, mask: number, now: number): void {
    if (this.nextSeq === 0) return;
    const latest = unwrapSeq(latestLow, this.nextSeq - 1);
    if (latest < 0 || latest >= this.nextSeq) return;
    // In a cohort, acks wait for the cohort to compare them (equal ones are applied once).
    if (this.cohort) this.deferred.push(latest, mask, now);
    else this.#acknowledge(latest, mask, now);
  }

  /** @internal Applies the acks deferred while in a cohort. */
  settle(): void {
    const deferred = this.deferred;
    for (let i = 0; i < deferred.length; i += 3)
      this.#acknowledge(deferred[i]!, deferred[i + 1]!, deferred[i + 2]!);
    deferred.length = 0;
  }

  /** @internal The record of sequence number `seq`, if still kept. */
  record(seq: number): PacketRecord | undefined {
    const record = this.#records[seq % RECORDS]!;
    return seq >= 0 && record.seq === seq ? record : undefined;
  }

  /**
   * @internal Whether `other`'s last {@link RECORDS} packets carried the same entries, under the
   * same ticks and with the same statuses, as this stream's (sequence numbers aside).
   */
  sameRecords(other: StateStream): boolean {
    for (let back = 1; back <= RECORDS; back++) {
      const a = this.record(this.nextSeq - back);
      const b = other.record(other.nextSeq - back);
      if (!a || !b) {
        if (a || b) return false;
        continue;
      }
      if (
        a.setId !== b.setId ||
        a.from !== b.from ||
        a.count !== b.count ||
        a.tick !== b.tick ||
        a.status !== b.status
      )
        return false;
    }
    return true;
  }

  /** @internal Takes the statuses the leader's records of sequence numbers `seqs` now have. */
  mirror(leader: StateStream, seqs: readonly number[], offset: number): void {
    for (const seq of seqs) {
      const from = leader.record(seq);
      const to = this.record(seq + offset);
      if (!from || !to || to.status === from.status) continue;
      if (to.status === PENDING) {
        if (from.status === ACKED) this.stats.packetsAcked++;
        else this.stats.packetsLost++;
      }
      to.status = from.status;
      if (to.status === ACKED) to.release();
      // Not acknowledged after all (a leader's record is the reference): acks may reach it again.
      if (to.status !== ACKED && to.seq < this.#oldestUnacked) this.#oldestUnacked = to.seq;
    }
  }

  #acknowledge(latest: number, mask: number, now: number): void {
    const oldest = Math.max(this.#oldestUnacked, this.nextSeq - RECORDS);
    for (let back = 0; back <= ACK_WINDOW; back++) {
      const seq = latest - back;
      if (seq < oldest) break;
      if (back > 0 && !(mask & (1 << (back - 1)))) continue;
      const record = this.#records[seq % RECORDS]!;
      if (record.seq !== seq || record.status === ACKED) continue;
      if (back === 0 && record.status === PENDING) this.#sample(now - record.sentAt);
      this.#ack(record);
    }
    // Anything pending that many packets older than an acknowledged one was lost.
    this.#loseUpTo(latest - REORDER_THRESHOLD, (record) => record.seq <= latest - REORDER_THRESHOLD);
    let seq = oldest;
    while (seq < this.nextSeq && this.#records[seq % RECORDS]!.status === ACKED) seq++;
    this.#oldestUnacked = seq;
  }

  /** Declares lost every pending packet older than the loss timeout. */
  expire(now: number): void {
    const limit = now - this.lossTimeoutMs;
    this.#loseUpTo(this.nextSeq - 1, (record) => record.sentAt <= limit);
  }

  #loseUpTo(last: number, isLost: (record: PacketRecord) => boolean): void {
    let seq = Math.max(this.#oldestPending, this.nextSeq - RECORDS);
    let advancing = true;
    for (; seq <= last; seq++) {
      const record = this.#records[seq % RECORDS]!;
      if (record.seq !== seq || record.status !== PENDING) {
        if (advancing) this.#oldestPending = seq + 1;
        continue;
      }
      if (!isLost(record)) {
        advancing = false;
        continue;
      }
      this.#lose(record);
      if (advancing) this.#oldestPending = seq + 1;
    }
  }

  #sample(rtt: number): void {
    if (this.srtt === 0) {
      this.srtt = rtt;
      this.rttvar = rtt / 2;
      return;
    }
    this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - rtt);
    this.srtt = 0.875 * this.srtt + 0.125 * rtt;
  }

  #ack(record: PacketRecord): void {
    if (record.status === PENDING) this.stats.packetsAcked++;
    record.status = ACKED;
    this.changes?.push(record.seq);
    const set = record.set;
    if (!set) return;
    if (!this.#follower) {
      const { ackedVid, ackedKey, inflightVid } = this.slots;
      const gen = this.table.gen;
      const { rows, gens, vids } = set;
      // Generations only need comparing if a row was freed since the packet was written.
      const freed = set.removals !== this.table.removals;
      const tick = record.tick;
      const end = record.from + record.count;
      for (let i = record.from; i < end; i++) {
        const row = rows[i]!;
        if (freed && gen[row] !== gens[i]) continue;
        const vid = vids[i]!;
        if (tick > ackedKey[row]!) {
          ackedKey[row] = tick;
          ackedVid[row] = vid;
        }
        if (inflightVid[row] === vid) inflightVid[row] = -1;
      }
    }
    record.release();
  }

  #lose(record: PacketRecord): void {
    this.stats.packetsLost++;
    record.status = LOST;
    this.changes?.push(record.seq);
    if (!record.set || this.#follower) return;
    const { inflightVid } = this.slots;
    const gen = this.table.gen;
    const { rows, gens, vids } = record.set;
    const freed = record.set.removals !== this.table.removals;
    const end = record.from + record.count;
    // The version may go again (if a later packet carries it too, it may go twice: loss is rare).
    for (let i = record.from; i < end; i++) {
      const row = rows[i]!;
      if ((!freed || gen[row] === gens[i]) && inflightVid[row] === vids[i]) inflightVid[row] = -1;
    }
  }
}

export type { PacketRecord };
