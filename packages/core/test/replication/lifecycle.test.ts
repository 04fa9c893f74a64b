import { describe, expect, it } from 'vitest';
import type { NetworkObject } from '../../src/replication/index.js';
import { differences, Ship, world } from './world.js';

describe('spawn lifecycle', () => {
  it('gives a late joiner every object with its current state, then keeps it in step', async () => {
    const { net, reps, join } = await world(3, { net: { latency: 40, jitter: 10, loss: 0.05 } });
    const host = reps[0]!;
    const ships = Array.from({ length: 40 }, (_, i) => host.spawn(Ship, { x: i, name: `s${i}`, hull: i }));
    for (let t = 0; t < 20; t++) {
      for (const s of ships) s.y += 0.25;
      ships[t]!.hp = t;
      await net.run(33);
    }
    host.despawn(ships.pop()!);
    const late = await join();
    const spawned: NetworkObject[] = [];
    late.events.on('spawned', ({ object, remote }) => remote && spawned.push(object));
    await net.run(1000);
    expect(differences(host, late)).toEqual([]);
    expect((late.get(ships[3]!.id) as Ship).hull).toBe(3);
    ships[0]!.x = 500;
    ships[0]!.name = 'renamed';
    await net.run(1000);
    expect(differences(host, late)).toEqual([]);
    expect(late.objects()).toHaveLength(39);
  });

  it('delivers despawns to peers that missed packets', async () => {
    const { net, sessions, reps } = await world(4, { net: { latency: 30, loss: 0.2 } });
    const host = reps[0]!;
    const ships = Array.from({ length: 20 }, (_, i) => host.spawn(Ship, { x: i }));
    await net.run(1500);
    // Client 1 is cut off while half the ships go away; the others lose one packet in five.
    const cut = net.partition([sessions[1]!.transport.localId]);
    for (const ship of ships.slice(0, 10)) host.despawn(ship);
    for (const ship of ships.slice(10)) ship.x += 1;
    await net.run(1000);
    expect(reps[1]!.objects()).toHaveLength(20);
    net.heal(cut);
    net.configure({ loss: 0 });
    await net.run(1500);
    for (const client of reps.slice(1)) {
      expect(client.objects().map((o) => o.id)).toEqual(ships.slice(10).map((s) => s.id));
      expect(differences(host, client)).toEqual([]);
    }
  });

  it('emits spawned, despawned and synchronized events', async () => {
    const { net, reps } = await world(2);
    const [host, client] = reps as [(typeof reps)[0], (typeof reps)[0]];
    const log: string[] = [];
    client.events.on('spawned', ({ object, remote }) =>
      log.push(`spawned ${object.constructor.name} ${remote}`),
    );
    client.events.on('despawned', ({ remote }) => log.push(`despawned ${remote}`));
    let synced = 0;
    let lastTick = -1;
    client.events.on('synchronized', ({ tick, from }) => {
      expect(from).toBe(host.session.id);
      expect(tick).toBeGreaterThan(lastTick);
      lastTick = tick;
      synced++;
    });
    const ship = host.spawn(Ship);
    await net.run(200);
    ship.x = 3;
    await net.run(200);
    host.despawn(ship);
    await net.run(200);
    expect(log).toEqual(['spawned Ship true', 'despawned true']);
    expect(synced).toBeGreaterThan(0);
    expect(ship.isSpawned).toBe(false);
  });
});
