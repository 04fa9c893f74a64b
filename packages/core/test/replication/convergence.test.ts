import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/sim/rng.js';
import { differences, Ship, world } from './world.js';

describe('convergence under loss (host + 4 clients, 10% loss, 80 ± 20 ms)', () => {
  it.each([11, 12, 13])(
    'brings every client to the host state within two round trips once the loss stops (seed %i)',
    async (seed) => {
      const { net, sessions, reps } = await world(5, { net: { seed, latency: 80, jitter: 20, loss: 0.1 } });
      // Trailing packets of despawned objects, late acks, duplicates: none of it may be an error.
      const errors: string[] = [];
      for (const s of sessions) s.events.on('error', ({ error }) => errors.push(error.message));
      for (const rep of reps) rep.events.on('refused', ({ error }) => errors.push(error.message));
      const host = reps[0]!;
      const rng = new Rng(seed);
      const ships: Ship[] = [];
      for (let i = 0; i < 60; i++)
        ships.push(host.spawn(Ship, { x: rng.next() * 100, y: rng.next() * 100, name: `s${i}`, hull: i }));
      let moving = true;
      host.loop.onTick = () => {
        if (!moving) return;
        for (const s of ships) {
          if (rng.chance(0.7)) {
            s.x += (rng.next() - 0.5) * 2;
            s.y += (rng.next() - 0.5) * 2;
            s.heading += (rng.next() - 0.5) * 0.5;
          }
          if (rng.chance(0.02)) s.hp = rng.int(256);
          if (rng.chance(0.01)) s.name = `n${rng.int(1000)}`;
        }
        if (rng.chance(0.05)) {
          const gone = ships.splice(rng.int(ships.length), 1)[0]!;
          host.despawn(gone);
        }
        if (rng.chance(0.05)) ships.push(host.spawn(Ship, { x: 5, name: 'new', hull: 99 }));
      };
      await net.run(5000);
      expect(reps.slice(1).some((c) => differences(host, c).length > 0)).toBe(true);
      // The loss stops, and so does the game: from here on the clients must catch up.
      net.configure({ loss: 0 });
      moving = false;
      const stoppedAt = net.now();
      // The longest round trip the link allows (80 + 20 ms each way).
      const rtt = 2 * (80 + 20);
      await net.runUntil(() => reps.slice(1).every((c) => differences(host, c).length === 0), 5000);
      const took = net.now() - stoppedAt;
      for (const client of reps.slice(1)) expect(differences(host, client)).toEqual([]);
      expect(took).toBeLessThanOrEqual(2 * rtt);
      expect(errors).toEqual([]);
    },
  );
});
