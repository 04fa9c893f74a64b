// Faults on SimNetwork: partitions that heal, with replicated objects. A short cut delays state and
// nothing else; a cut longer than the heartbeat timeout drops the peer on both sides, its objects go
// with it, and when it comes back (as a new peer) it sees every object exactly once: no ghosts, no
// duplicates.
import { describe, expect, it } from 'vitest';
import { differences, Ship, world } from '../replication/world.js';

const ids = (objects: readonly { id: number }[]) => objects.map((o) => o.id).sort((a, b) => a - b);

describe('partitions that heal, with replicated objects', () => {
  it('a cut shorter than the heartbeat timeout: the peer stays, and converges without ghosts or duplicates', async () => {
    const { net, sessions, reps } = await world(3, {
      net: { latency: 30, jitter: 5 },
      session: { heartbeatIntervalMs: 500, heartbeatTimeoutMs: 5000 },
    });
    const host = reps[0]!;
    const ships = Array.from({ length: 30 }, (_, i) => host.spawn(Ship, { x: i, name: `s${i}` }));
    await net.run(1000);
    const cut = net.partition([sessions[1]!.transport.localId]);
    for (const ship of ships.splice(0, 5)) host.despawn(ship);
    ships.push(...Array.from({ length: 5 }, (_, i) => host.spawn(Ship, { x: 100 + i, name: `n${i}` })));
    for (const ship of ships) ship.y += 3;
    await net.run(3000);
    net.heal(cut);
    await net.run(2000);
    expect(sessions.every((s) => s.connected)).toBe(true);
    for (const client of reps.slice(1)) {
      expect(ids(client.objects())).toEqual(ids(ships));
      expect(differences(host, client)).toEqual([]);
    }
  });

  it('a cut longer than the timeout: the peer is dropped on both sides, its objects go, and a rejoin sees each object once', async () => {
    const { net, sessions, reps, join } = await world(3, {
      net: { latency: 30 },
      session: { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1500 },
    });
    const host = reps[0]!;
    const hostShips = Array.from({ length: 10 }, (_, i) => host.spawn(Ship, { x: i }));
    const clientShip = reps[1]!.spawn(Ship, { x: 42, name: 'mine' });
    await net.run(1000);
    expect(reps[2]!.get(clientShip.id)).toBeDefined();

    const cut = net.partition([sessions[1]!.transport.localId]);
    await net.run(3000);
    net.heal(cut);
    await net.run(1000);
    expect(sessions[1]!.connected).toBe(false);
    expect(sessions[0]!.peers()).toEqual([sessions[2]!.id]);
    // The departed owner's ship is gone everywhere (ownerLeft: 'despawn'): no ghost stays behind.
    expect(host.get(clientShip.id)).toBeUndefined();
    expect(reps[2]!.get(clientShip.id)).toBeUndefined();
    expect(ids(reps[2]!.objects())).toEqual(ids(hostShips));

    // The cut-off player comes back as a new peer: it gets every object once, and keeps in step.
    const back = await join();
    await net.run(1500);
    expect(ids(back.objects())).toEqual(ids(hostShips));
    hostShips[0]!.x = 7.5;
    await net.run(500);
    for (const client of [reps[2]!, back]) expect(differences(host, client)).toEqual([]);
  });
});
