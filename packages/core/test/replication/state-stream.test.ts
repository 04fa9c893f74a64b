import { describe, expect, it } from 'vitest';
import { NetworkObject } from '../../src/replication/network-object.js';
import { sync } from '../../src/replication/sync.js';
import { Rng } from '../../src/sim/rng.js';
import { Loopback } from './harness.js';

class Mover extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ quantize: { step: 0.001 } }) accessor y = 0;
  @sync({ type: 'angle', quantize: { bits: 12 } }) accessor angle = 0;
  @sync({ type: 'bool' }) accessor lit = false;
  @sync({ type: 'string' }) accessor tag = '';
  @sync({ type: 'uint8' }) accessor hp = 100;
}

function world(n: number, seed = 7, options: ConstructorParameters<typeof Loopback>[1] = {}) {
  const loop = new Loopback(Mover, { seed, ...options });
  const rng = new Rng(seed);
  const movers: Mover[] = [];
  for (let i = 0; i < n; i++) {
    const m = new Mover();
    m.x = rng.next() * 1000;
    m.y = rng.next() * 1000;
    movers.push(m);
    loop.add(m, 100 + i * 3);
  }
  const move = (share = 1) => {
    for (const m of movers) {
      if (rng.next() >= share) continue;
      m.x += (rng.next() - 0.5) * 0.4;
      m.y += (rng.next() - 0.5) * 0.4;
      m.angle += (rng.next() - 0.5) * 0.3;
      if (rng.chance(0.05)) m.lit = !m.lit;
      if (rng.chance(0.02)) m.tag = `t${rng.int(1000)}`;
      if (rng.chance(0.05)) m.hp = rng.int(256);
    }
  };
  return { loop, movers, move, rng };
}

describe('state stream', () => {
  it('keeps a receiver exactly on the quantised sender state without loss', () => {
    const { loop, move } = world(50);
    loop.forward.latencyMs = 40;
    loop.back.latencyMs = 40;
    for (let i = 0; i < 60; i++) {
      move();
      loop.step();
    }
    for (let i = 0; i < 6; i++) loop.step();
    expect(loop.converged()).toBe(true);
    expect(loop.resyncs).toBe(0);
  });

  it('converges within two round trips after heavy loss, reordering and jitter stop', () => {
    const { loop, move } = world(80, 3);
    for (const pipe of [loop.forward, loop.back]) {
      pipe.loss = 0.3;
      pipe.latencyMs = 80;
      pipe.jitterMs = 40;
    }
    for (let i = 0; i < 200; i++) {
      move(0.7);
      loop.step();
    }
    for (const pipe of [loop.forward, loop.back]) {
      pipe.loss = 0;
      pipe.jitterMs = 20;
    }
    expect(loop.converged()).toBe(false);
    // Two round trips: 2 × (80 + 20) × 2 ms, plus a tick for the receiver's ack.
    const deadline = Math.ceil((2 * 2 * 100 + 2 * loop.tickMs) / loop.tickMs);
    let ticks = 0;
    while (!loop.converged() && ticks < deadline) {
      loop.step();
      ticks++;
    }
    expect(loop.converged()).toBe(true);
    expect(loop.resyncs).toBe(0);
  });

  it('sends nothing once idle objects are acknowledged', () => {
    const { loop, move } = world(30);
    for (let i = 0; i < 10; i++) {
      move();
      loop.step();
    }
    for (let i = 0; i < 10; i++) loop.step();
    expect(loop.converged()).toBe(true);
    const before = loop.bytes;
    for (let i = 0; i < 10; i++) loop.step();
    expect(loop.bytes).toBe(before);
  });

  it('sends one changed object of a thousand in a few bytes', () => {
    const { loop, movers } = world(1000);
    for (let i = 0; i < 5; i++) loop.step();
    const m = movers[500]!;
    m.y += 0.05;
    loop.step();
    expect(loop.datagrams).toHaveLength(1);
    expect(loop.datagrams[0]!.length).toBeLessThanOrEqual(16);
  });

  it('keeps every datagram within the limit and the budget, and starves no object', () => {
    const { loop, move, movers } = world(400, 11, { budgetBytes: 600, maxBytes: 300 });
    const lastSeen = new Map<number, number>();
    let worst = 0;
    for (let i = 0; i < 120; i++) {
      move();
      loop.step();
      expect(loop.datagrams.every((d) => d.length <= 300)).toBe(true);
      const total = loop.datagrams.reduce((sum, d) => sum + d.length, 0);
      expect(total).toBeLessThanOrEqual(600 + 300);
      const { inflightVid, accum } = loop.stream.slots;
      for (const t of loop.tracked) {
        if (inflightVid[t.row]! >= 0 && accum[t.row] === 0) lastSeen.set(t.id, loop.tick);
      }
      if (i > 40) {
        for (const t of loop.tracked) worst = Math.max(worst, loop.tick - (lastSeen.get(t.id) ?? 0));
      }
    }
    expect(movers).toHaveLength(400);
    // 400 objects at roughly 70–100 per tick: everyone is sent at least every ~8 ticks.
    expect(worst).toBeLessThan(12);
  });

  it('falls back to whole states when acks lag beyond the history', () => {
    const { loop, move } = world(20);
    loop.back.loss = 1;
    for (let i = 0; i < 60; i++) {
      move();
      loop.step();
    }
    loop.back.loss = 0;
    for (let i = 0; i < 20; i++) loop.step();
    expect(loop.converged()).toBe(true);
  });

  it('answers a resync request with the whole object', () => {
    const { loop, move } = world(10);
    for (let i = 0; i < 10; i++) {
      move();
      loop.step();
    }
    for (let i = 0; i < 10; i++) loop.step();
    // The receiver forgets its history of one object: the next delta cannot be applied.
    const ref = loop.mirrors.get(100)!.ref;
    ref.history.keys.fill(-1);
    ref.history.newest = -1;
    move();
    for (let i = 0; i < 12; i++) loop.step();
    expect(loop.resyncs).toBeGreaterThan(0);
    expect(loop.converged()).toBe(true);
  });

  it('refuses malformed datagrams without applying any of them', () => {
    const { loop, move } = world(20);
    move();
    loop.step();
    const good = loop.datagrams[0]!;
    const snapshot = [...loop.mirrors.values()].map((m) => m.object.x);
    const target = {
      lookup: (id: number) => loop.mirrors.get(id)?.ref,
      layoutOf: () => loop.layout,
      commit: () => {
        throw new Error('nothing may be committed');
      },
      resync: () => {},
    };
    for (const bad of [
      good.subarray(0, good.length - 3),
      new Uint8Array([1, 2, 3]),
      Uint8Array.of(...good, 0xff, 0xff),
    ]) {
      expect(() => loop.inbox.receive(bad, target)).toThrow(
        expect.objectContaining({ code: 'E_BAD_PACKET' }),
      );
    }
    expect([...loop.mirrors.values()].map((m) => m.object.x)).toEqual(snapshot);
  });
});
