import { BiasSnapshot, type StreamCoding } from './encoder-coding.js';
import type { PacketSet } from './packet-set.js';
import type { SendTable } from './send-table.js';
import { READY, type Slots } from './slots.js';
import type { StateStream } from './state-stream.js';

// Receivers in the same situation — the same objects pending against the same baselines, coded
// with the same biases — get the same packets. The first one's encoding is kept for the tick and
// the others get copies under their own sequence numbers, which is most of the work saved when
// many clients sit on similar links.

/** One tick's packets for one receiver situation, kept for others in the same one. */
export class SharedBuild {
  table: SendTable | undefined;
  /** The stream that encoded it. */
  stream: StateStream | undefined;
  probe = false;
  /** The entries, as sent (held until the tick ends). */
  set: PacketSet | undefined;
  /**
   * The encoding stream's slots: their acknowledged versions and keys are what the entries were
   * coded against (acks are applied before a tick's builds, so they hold still until it ends).
   */
  slots: Slots | undefined;
  /** The biases the packets were coded with, and the ones learned from them. */
  readonly before = new BiasSnapshot();
  readonly after = new BiasSnapshot();
  datagrams: Uint8Array[] = [];
  /** Where each datagram's entries end in `set`. */
  ends: number[] = [];

  /** Keeps `set` and the slots whose baselines its entries were coded against. */
  hold(set: PacketSet, slots: Slots): void {
    set.retain();
    this.set = set;
    this.slots = slots;
  }

  /** Lets go of the set (the tick is over). */
  drop(): void {
    this.set?.release();
    this.set = undefined;
    this.slots = undefined;
    this.table = undefined;
    this.stream = undefined;
    this.datagrams = [];
    this.ends = [];
  }
}

/** Whether `stream` is in `shared`'s situation this tick: same entries, baselines and biases. */
export function matches(stream: StateStream, shared: SharedBuild, coding: StreamCoding): boolean {
  if (!coding.sameBiases(shared.before)) return false;
  const { state, ackedVid, ackedKey, inflightVid } = stream.slots;
  const { order, latest, count } = stream.table;
  const { probe } = shared;
  const vids = shared.slots!.ackedVid;
  const keys = shared.slots!.ackedKey;
  const { rows, length: n } = shared.set!;
  let j = 0;
  for (let i = 0; i < count; i++) {
    const row = order[i]!;
    if (state[row] !== READY) continue;
    const version = latest[row]!;
    const acked = ackedVid[row]!;
    if (version === acked || (version === inflightVid[row] && !probe)) continue;
    if (j === n || rows[j] !== row || vids[row] !== acked || keys[row] !== ackedKey[row]) return false;
    j++;
  }
  return j === n;
}

/** Gives `stream` `shared`'s datagrams (the same views), renumbered with its own sequence numbers. */
export function reuse(
  stream: StateStream,
  shared: SharedBuild,
  tick: number,
  now: number,
  coding: StreamCoding,
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (let d = 0; d < shared.datagrams.length; d++) {
    const record = stream.open(tick, now);
    // The same bytes under this stream's sequence number (the first 16 bits): the previous
    // stream's copy was sent before this build began.
    const bytes = shared.datagrams[d]!;
    bytes[0] = (record.seq >>> 8) & 0xff;
    bytes[1] = record.seq & 0xff;
    const end = shared.ends[d]!;
    record.adopt(shared.set!, from, end);
    from = end;
    stream.sent(record, bytes.length);
    out.push(bytes);
  }
  coding.copyBiases(shared.after);
  return out;
}
