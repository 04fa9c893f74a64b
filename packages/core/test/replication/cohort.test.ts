import { describe, expect, it } from 'vitest';
import { BitReader, BitWriter } from '../../src/replication/bits.js';
import { Received } from '../../src/replication/history.js';
import { ClassLayout } from '../../src/replication/layout.js';
import { CORE, NetworkObject } from '../../src/replication/network-object.js';
import { SendTable } from '../../src/replication/send-table.js';
import { READY } from '../../src/replication/slots.js';
import type { RemoteRef } from '../../src/replication/state-decoder.js';
import { StateEncoder } from '../../src/replication/state-encoder.js';
import { readAck, StateInbox } from '../../src/replication/state-inbox.js';
import { StateStream } from '../../src/replication/state-stream.js';
import { sync } from '../../src/replication/sync.js';
import type { Tracked } from '../../src/replication/tracked.js';
import { Rng } from '../../src/sim/rng.js';
import { Pipe } from './harness.js';

class Dot extends NetworkObject {
  @sync({ quantize: { step: 0.01 } }) accessor x = 0;
  @sync({ quantize: { step: 0.01 } }) accessor y = 0;
  @sync({ type: 'string' }) accessor tag = '';
}

const layout = new ClassLayout(Dot, 'Dot');
const TICK_MS = 1000 / 30;

/** One receiver of the shared sender: its stream there, its inbox and copies here, two pipes. */
class Receiver {
  readonly stream: StateStream;
  readonly inbox = new StateInbox();
  readonly refs = new Map<number, RemoteRef>();
  readonly forward: Pipe;
  readonly back: Pipe;
  resyncs = 0;

  constructor(table: SendTable, tracked: readonly Tracked[], rng: Rng) {
    this.stream = new StateStream(table);
    this.forward = new Pipe(rng.fork('forward'));
    this.back = new Pipe(rng.fork('back'));
    for (const t of tracked) {
      this.stream.own().open(t.row, t.latest, 0);
      this.stream.own().state[t.row] = READY;
      const history = new Received(layout);
      const at = history.reserve(0);
      const from = t.newest();
      for (let s = 0; s < layout.count; s++) {
        history.ints[at + s] = table.ints[from + s]!;
        if (history.refs) history.refs[at + s] = table.refs![from + s];
      }
      this.refs.set(t.id, { id: t.id, layout, typeIndex: 0, history });
    }
  }

  /** Receives what is due, acks it, and hands the sender the acks that are due there. */
  exchange(now: number): void {
    for (const data of this.forward.take(now)) {
      this.inbox.receive(data, {
        lookup: (id) => this.refs.get(id),
        layoutOf: () => layout,
        commit: () => {},
        resync: () => {
          this.resyncs++;
        },
      });
    }
    if (this.inbox.ackDue) {
      const w = new BitWriter(64);
      this.inbox.writeAck(w);
      this.back.send(now, w.finish());
    }
    for (const data of this.back.take(now)) readAck(new BitReader(data), this.stream, now);
  }

  /** Whether its newest copy of every object is the sender's newest version. */
  converged(tracked: readonly Tracked[]): boolean {
    return tracked.every((t) => {
      const h = this.refs.get(t.id)!.history;
      const at = h.find(h.newest);
      const cur = t.newest();
      return (
        [0, 1].every((s) => h.ints[at + s] === t.table.ints[cur + s]) &&
        h.refs![at + 2] === t.table.refs![cur + 2]
      );
    });
  }
}

function scene(receivers: number, seed = 3) {
  const rng = new Rng(seed);
  const table = new SendTable();
  const dots: Dot[] = [];
  const tracked: Tracked[] = [];
  for (let i = 0; i < 120; i++) {
    const dot = new Dot();
    dot.x = rng.next() * 100;
    dots.push(dot);
    tracked.push(table.add(dot, layout, 10 + i, 0));
  }
  const rs = Array.from({ length: receivers }, (_, i) => new Receiver(table, tracked, rng.fork(`r${i}`)));
  const encoder = new StateEncoder({ maxBytes: 1190, budgetBytes: 1 << 20 });
  let tick = 0;
  const step = (move = true) => {
    tick++;
    const now = tick * TICK_MS;
    for (const r of rs) r.exchange(now);
    if (move) {
      for (const dot of dots) {
        if (!rng.chance(0.6)) continue;
        dot.x += rng.next() - 0.5;
        dot.y += rng.next() - 0.5;
        if (rng.chance(0.02)) dot.tag = `t${rng.int(50)}`;
      }
    }
    table.capture();
    for (const r of rs)
      for (const datagram of encoder.build(r.stream, tick, now)) r.forward.send(now, datagram);
  };
  return { table, tracked, rs, encoder, step, dots };
}

describe('cohorts', () => {
  it('has receivers in lockstep share their bookkeeping and one build, each getting its own sequence numbers', () => {
    const { rs, step, tracked, encoder } = scene(5);
    for (let i = 0; i < 60; i++) step();
    const cohort = rs[0]!.stream.cohort;
    expect(cohort).toBeDefined();
    expect(rs.every((r) => r.stream.cohort === cohort && r.stream.slots === rs[0]!.stream.slots)).toBe(true);
    // One encoding per tick, whatever the number of receivers.
    expect(encoder.stats.encoded).toBeLessThanOrEqual(61);
    for (let i = 0; i < 10; i++) step(false);
    expect(rs.every((r) => r.converged(tracked) && r.resyncs === 0)).toBe(true);
    // Each receiver acknowledged packets under its own numbers.
    expect(rs.every((r) => r.stream.stats.packetsAcked > 60)).toBe(true);
  });

  it('lets a receiver whose packets get lost leave, and all still converge exactly', () => {
    const { rs, step, tracked } = scene(4, 9);
    for (let i = 0; i < 20; i++) step();
    const lossy = rs[2]!;
    lossy.forward.loss = 0.3;
    for (let i = 0; i < 80; i++) step();
    expect(lossy.stream.cohort).toBeUndefined();
    expect(lossy.stream.slots).not.toBe(rs[0]!.stream.slots);
    expect(rs[0]!.stream.cohort?.members).toHaveLength(3);
    lossy.forward.loss = 0;
    for (let i = 0; i < 15; i++) step(false);
    expect(rs.every((r) => r.converged(tracked) && r.resyncs === 0)).toBe(true);
    expect(lossy.stream.stats.packetsLost).toBeGreaterThan(0);
    expect(rs[0]!.stream.stats.packetsLost).toBe(0);
  });

  it('takes a receiver changed alone out of the cohort (its copy of the slots, nobody else’s)', () => {
    const { rs, step, tracked } = scene(3, 5);
    for (let i = 0; i < 20; i++) step();
    const [a, b] = rs as [Receiver, Receiver];
    expect(b.stream.slots).toBe(a.stream.slots);
    const row = tracked[7]!.row;
    b.stream.own().forget(row);
    expect(b.stream.cohort?.members.includes(b.stream)).not.toBe(true);
    expect(b.stream.slots.ackedVid[row]).toBe(-1);
    expect(a.stream.slots.ackedVid[row]).not.toBe(-1);
    for (let i = 0; i < 20; i++) step();
    for (let i = 0; i < 10; i++) step(false);
    expect(rs.every((r) => r.converged(tracked) && r.resyncs === 0)).toBe(true);
  });

  it('carries on when the leader goes away', () => {
    const { rs, step, tracked } = scene(4, 12);
    for (let i = 0; i < 20; i++) step();
    const cohort = rs[0]!.stream.cohort!;
    const leader = cohort.leader;
    const gone = rs.find((r) => r.stream === leader)!;
    leader.close();
    rs.splice(rs.indexOf(gone), 1);
    expect(cohort.leader).not.toBe(leader);
    for (let i = 0; i < 20; i++) step();
    for (let i = 0; i < 10; i++) step(false);
    expect(rs.every((r) => r.converged(tracked) && r.resyncs === 0)).toBe(true);
    expect(tracked[0]!.object[CORE].values).toBeDefined();
  });
});
