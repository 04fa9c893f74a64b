import { describe, expect, it } from 'vitest';
import { differences, Ship, world } from './world.js';

describe('replication over a mesh', () => {
  it('has each peer send the objects it owns, directly to every other peer', async () => {
    const { net, sessions, reps } = await world(4, {
      net: { latency: 40, jitter: 10, loss: 0.05 },
      session: { topology: 'mesh' },
    });
    const ships = reps.map((rep, i) => rep.spawn(Ship, { name: `p${i}`, x: i }));
    for (let t = 0; t < 60; t++) {
      ships.forEach((ship, i) => {
        ship.x += 0.1 * (i + 1);
        ship.heading -= 0.05;
      });
      if (t === 30) ships[2]!.hp = 3;
      await net.run(33);
    }
    net.configure({ loss: 0 });
    await net.run(1000);
    for (const [i, owner] of reps.entries()) {
      for (const other of reps) {
        if (other === owner) continue;
        expect(differences(owner, other, [ships[i]!.id])).toEqual([]);
      }
    }
    expect(reps.every((rep) => rep.objects().length === 4)).toBe(true);
    // State went peer to peer, client to client.
    expect(sessions[1]!.transport.stats(sessions[3]!.id)!.bytesSent).toBeGreaterThan(1000);
    const peerOwned = reps[3]!.get(ships[1]!.id) as Ship;
    expect(peerOwned.owner).toBe(sessions[1]!.id);
    expect(() => {
      peerOwned.x = 0;
    }).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_WRITE' }));
    // A despawn by the owner reaches everyone.
    reps[2]!.despawn(ships[2]!);
    await net.run(500);
    expect(reps.every((rep) => rep.get(ships[2]!.id) === undefined)).toBe(true);
  });

  it('removes a departed peer’s objects everywhere', async () => {
    const { net, sessions, reps } = await world(3, { session: { topology: 'mesh' } });
    const ship = reps[2]!.spawn(Ship);
    await net.run(300);
    expect(reps[1]!.get(ship.id)).toBeDefined();
    await sessions[2]!.close();
    await net.run(500);
    expect(reps[0]!.get(ship.id)).toBeUndefined();
    expect(reps[1]!.get(ship.id)).toBeUndefined();
  });
});
