import { describe, expect, it } from 'vitest';
import { NetworkObject, Replication, sync } from '../../src/replication/index.js';
import { createSessions } from '../../src/session/sim-sessions.js';
import { SimNetwork } from '../../src/sim/sim-network.js';

class Ship extends NetworkObject {
  @sync({ quantize: { step: 0.001 } }) accessor x = 0;
  @sync({ quantize: { step: 0.001 } }) accessor y = 0;
  @sync({ type: 'angle', quantize: { bits: 12 } }) accessor heading = 0;
  @sync({ mode: 'onChange', type: 'string' }) accessor name = '';
  @sync({ mode: 'onChange', type: 'uint8' }) accessor hp = 100;
  @sync({ mode: 'spawn', type: 'uint8' }) accessor hull = 0;
}

async function star(n: number, link: { latency?: number; jitter?: number; loss?: number } = {}) {
  const net = new SimNetwork({ seed: 3, latency: 20, ...link });
  const reps: Replication[] = [];
  const sessions = await createSessions(net, n, {
    inbox: 'poll',
    setup: (s) => {
      const rep = new Replication({ rate: 30 });
      rep.register(Ship, 'Ship');
      s.use(rep);
      reps.push(rep);
    },
  });
  return { net, sessions, reps };
}

describe('replication over a star', () => {
  it('spawns on every client and keeps fields in step', async () => {
    const { net, reps } = await star(3);
    const host = reps[0]!;
    const ship = host.spawn(Ship, { x: 1, name: 'a', hull: 7 });
    await net.run(300);
    for (const rep of reps.slice(1)) {
      const [copy] = rep.objects() as Ship[];
      expect(copy).toBeInstanceOf(Ship);
      expect([copy!.x, copy!.name, copy!.hull, copy!.id]).toEqual([1, 'a', 7, ship.id]);
    }
    for (let i = 0; i < 30; i++) {
      ship.x += 0.5;
      ship.heading += 0.2;
      await net.run(33);
    }
    ship.hp = 42;
    await net.run(300);
    for (const rep of reps.slice(1)) {
      const copy = rep.get(ship.id) as Ship;
      expect(copy.x).toBeCloseTo(ship.x, 3);
      expect(copy.hp).toBe(42);
      expect(
        Math.abs(copy.heading - Math.atan2(Math.sin(ship.heading), Math.cos(ship.heading))),
      ).toBeLessThan(0.002);
    }
  });
});

describe('a game driving its own loop', () => {
  it('runs ticks with advance() and never applies state in the middle of game logic', async () => {
    const net = new SimNetwork({ seed: 8, latency: 15 });
    const reps: Replication[] = [];
    await createSessions(net, 2, {
      inbox: 'poll',
      setup: (s) => {
        const rep = new Replication({ rate: 20, autoStart: false });
        rep.register(Ship, 'Ship');
        s.use(rep);
        reps.push(rep);
      },
    });
    const [host, client] = reps as [Replication, Replication];
    const ship = host.spawn(Ship, { x: 1 });
    const seen: number[] = [];
    client.loop.onTick = () => {
      const copy = client.get(ship.id) as Ship | undefined;
      if (!copy) return;
      // Within one tick of game logic the value never changes under our feet.
      const before = copy.x;
      seen.push(before);
      expect(copy.x).toBe(before);
    };
    host.loop.onTick = () => {
      ship.x += 1;
    };
    // The game's own frame loop: 60 frames a second, ticks run when due.
    for (let frame = 0; frame < 120; frame++) {
      await net.run(1000 / 60);
      host.loop.advance();
      client.loop.advance();
    }
    expect(host.loop.tick).toBeGreaterThanOrEqual(38);
    expect(seen.length).toBeGreaterThan(30);
    expect(seen.at(-1)!).toBeGreaterThan(30);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
  });
});
