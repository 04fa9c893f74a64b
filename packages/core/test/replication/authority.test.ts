import { describe, expect, it } from 'vitest';
import { BitWriter } from '../../src/replication/bits.js';
import type { ReplicationError } from '../../src/replication/index.js';
import { Op, RepKind, writeUpdate } from '../../src/replication/messages.js';
import { CORE } from '../../src/replication/network-object.js';
import { differences, Ship, world } from './world.js';

describe('visibility', () => {
  it('hides and reveals objects per peer, spawning them with their current state', async () => {
    const { net, sessions, reps } = await world(3);
    const [host, a, b] = reps as [(typeof reps)[0], (typeof reps)[0], (typeof reps)[0]];
    const aId = sessions[1]!.id;
    const bId = sessions[2]!.id;
    const secret = host.spawn(Ship, { name: 'secret' });
    host.setVisibility(secret, (peer) => peer === aId);
    const open = host.spawn(Ship, { name: 'open' });
    await net.run(300);
    expect(a.get(secret.id)).toBeDefined();
    expect(b.get(secret.id)).toBeUndefined();
    expect(b.get(open.id)).toBeDefined();
    // Revealed by a grant: spawned with the state it has now.
    secret.x = 42;
    secret.hp = 7;
    host.grant(secret, bId);
    await net.run(300);
    expect(differences(host, b)).toEqual([]);
    // Hidden again: despawned there, and no longer updated.
    host.revoke(secret, bId);
    await net.run(300);
    expect(b.get(secret.id)).toBeUndefined();
    expect(a.get(secret.id)).toBeDefined();
    host.setVisibility(open, () => false);
    await net.run(300);
    expect(a.objects()).toEqual([a.get(secret.id)]);
    expect(b.objects()).toEqual([]);
  });

  it('never sends an object’s RPCs to peers that cannot see it', async () => {
    const { net, sessions, reps } = await world(3);
    const [host, a, b] = reps as [(typeof reps)[0], (typeof reps)[0], (typeof reps)[0]];
    const ship = host.spawn(Ship);
    host.setVisibility(ship, (peer) => peer === sessions[1]!.id);
    await net.run(300);
    sessions[0]!.rpc(ship).ping('hello');
    await net.run(300);
    expect((a.get(ship.id) as Ship).pings).toEqual(['hello']);
    expect(b.get(ship.id)).toBeUndefined();
    // Client a calls everyone: the host relays it only where the ship is visible.
    const errors: unknown[] = [];
    sessions[2]!.events.on('error', (e) => errors.push(e));
    sessions[1]!.rpc(a.get(ship.id) as Ship).ping('from a');
    await net.run(300);
    expect(ship.pings).toEqual(['from a']);
    expect(errors).toEqual([]);
  });
});

describe('ownership', () => {
  it('moves an object to a client, whose writes then reach everyone', async () => {
    const { net, sessions, reps } = await world(3, { net: { latency: 30, loss: 0.05 } });
    const [host, a, b] = reps as [(typeof reps)[0], (typeof reps)[0], (typeof reps)[0]];
    const aId = sessions[1]!.id;
    const ship = host.spawn(Ship, { x: 1 });
    await net.run(300);
    const mine = a.get(ship.id) as Ship;
    expect(() => {
      mine.x = 5;
    }).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_WRITE' }));
    const changes: string[] = [];
    a.events.on('owner-changed', ({ owner }) => changes.push(owner));
    host.transfer(ship, aId);
    expect(ship.hasAuthority).toBe(false);
    expect(() => {
      ship.x = 9;
    }).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_WRITE' }));
    await net.run(300);
    expect(changes).toEqual([aId]);
    expect(mine.hasAuthority).toBe(true);
    for (let i = 0; i < 10; i++) {
      mine.x += 1;
      mine.heading += 0.3;
      await net.run(33);
    }
    mine.name = 'mine';
    await net.run(600);
    expect(ship.x).toBeCloseTo(mine.x, 3);
    expect(ship.name).toBe('mine');
    expect(differences(a, b, [ship.id])).toEqual([]);
    // And back to the host.
    host.transfer(ship, host.session.id);
    await net.run(300);
    ship.y = 77;
    await net.run(600);
    expect(mine.hasAuthority).toBe(false);
    expect(differences(host, a)).toEqual([]);
    expect(differences(host, b)).toEqual([]);
  });
});

describe('refusals', () => {
  it('refuses a client writing fields it does not own, changing nothing', async () => {
    const { net, sessions, reps } = await world(3);
    const [host, a, b] = reps as [(typeof reps)[0], (typeof reps)[0], (typeof reps)[0]];
    const ship = host.spawn(Ship, { x: 1, name: 'host' });
    await net.run(300);
    const copy = a.get(ship.id) as Ship;
    expect(() => {
      copy.name = 'hacked';
    }).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_WRITE' }));
    expect(copy.name).toBe('host');
    // A modified client sends the update anyway: the host refuses it.
    const refused: ReplicationError[] = [];
    host.events.on('refused', ({ error }) => refused.push(error));
    copy[CORE].values[3] = 'hacked';
    const w = new BitWriter();
    w.writeBits(Op.Update, 8);
    writeUpdate(w, a.infoOf(copy), copy.id, copy[CORE].values, 0b1);
    a.io.send(sessions[0]!.id, 0, RepKind.Control, w.finish());
    await net.run(300);
    expect(refused.map((e) => e.code)).toEqual(['E_UNAUTHORIZED_WRITE']);
    expect(ship.name).toBe('host');
    expect((b.get(ship.id) as Ship).name).toBe('host');
  });

  it('refuses spawns past a peer’s limit, locally and at the host', async () => {
    const { net, sessions, reps } = await world(3, { spawnLimit: 2 });
    const [host, a, b] = reps as [(typeof reps)[0], (typeof reps)[0], (typeof reps)[0]];
    a.spawn(Ship, { name: 'one' });
    a.spawn(Ship, { name: 'two' });
    expect(() => a.spawn(Ship, { name: 'three' })).toThrow(
      expect.objectContaining({ code: 'E_SPAWN_LIMIT' }),
    );
    await net.run(300);
    expect(host.objects()).toHaveLength(2);
    expect(b.objects()).toHaveLength(2);
    // A modified client skips its own check: the host refuses, the client drops it, nobody else sees it.
    const refusedHere: string[] = [];
    a.events.on('refused', ({ error }) => refusedHere.push(error.code));
    a.options.spawnLimit = 99;
    const extra = a.spawn(Ship, { name: 'three' });
    await net.run(300);
    expect(refusedHere).toEqual(['E_SPAWN_LIMIT']);
    expect(extra.isSpawned).toBe(false);
    expect(host.objects()).toHaveLength(2);
    expect(b.objects()).toHaveLength(2);
    expect(a.objects()).toHaveLength(2);
    void sessions;
  });
});
