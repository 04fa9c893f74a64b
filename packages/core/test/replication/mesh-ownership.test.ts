import { describe, expect, it } from 'vitest';
import type { MeshplayError } from '../../src/errors.js';
import type { NetworkObject, Replication } from '../../src/replication/index.js';
import type { Session } from '../../src/session/session.js';
import { differences, Ship, world } from './world.js';

/** Every error and refusal any session or replication reports. */
function watch(sessions: readonly Session[], reps: readonly Replication[]): string[] {
  const problems: string[] = [];
  sessions.forEach((s, i) => {
    s.events.on('error', ({ error }) => void problems.push(`${i} error ${(error as MeshplayError).code}`));
    s.events.on('refused', ({ code }) => void problems.push(`${i} refused ${code}`));
  });
  reps.forEach((rep, i) => {
    rep.events.on('refused', ({ error }) => void problems.push(`${i} rep refused ${error.code}`));
  });
  return problems;
}

/** The owner every replication has for `object` (by id), in order. */
function ownersOf(reps: readonly Replication[], object: NetworkObject): (string | undefined)[] {
  return reps.map((rep) => rep.get(object.id)?.owner);
}

describe('ownership in a mesh', () => {
  it('moves an object on the host’s word; the new owner sends its state, the old one may not write', async () => {
    const { net, sessions, reps } = await world(4, {
      net: { latency: 40, jitter: 10, loss: 0.05 },
      session: { topology: 'mesh' },
    });
    const problems = watch(sessions, reps);
    const ship = reps[2]!.spawn(Ship, { name: 'drifter', x: 1 });
    for (let t = 0; t < 20; t++) {
      ship.x += 0.25;
      await net.run(33);
    }
    const changes: string[][] = reps.map(() => []);
    reps.forEach((rep, i) => {
      rep.events.on('owner-changed', ({ owner }) => void changes[i]!.push(owner));
    });
    const newOwner = sessions[3]!.id;
    // The host's word reaches peer 1 long after the new owner could: its state must wait for it.
    net.setLink(sessions[0]!.id, sessions[1]!.id, { latency: 250, jitter: 0 });
    reps[0]!.transfer(reps[0]!.get(ship.id)!, newOwner);
    await net.run(400);
    expect(ownersOf(reps, ship)).toEqual([newOwner, newOwner, newOwner, newOwner]);
    expect(changes.every((c) => c.length === 1 && c[0] === newOwner)).toBe(true);
    // The old owner lost the right to write; the new one has it.
    expect(() => {
      ship.x = 0;
    }).toThrow(expect.objectContaining({ code: 'E_UNAUTHORIZED_WRITE' }));
    const mine = reps[3]!.get(ship.id) as Ship;
    expect(mine.hasAuthority).toBe(true);
    for (let t = 0; t < 40; t++) {
      mine.x -= 0.5;
      mine.heading += 0.1;
      if (t === 20) mine.hp = 7;
      await net.run(33);
    }
    net.configure({ loss: 0 });
    await net.run(800);
    for (const other of [reps[0]!, reps[1]!, reps[2]!]) expect(differences(reps[3]!, other)).toEqual([]);
    expect((reps[2]!.get(ship.id) as Ship).hp).toBe(7);
    // The state went straight from the new owner to the others.
    expect(sessions[3]!.transport.stats(sessions[1]!.id)!.bytesSent).toBeGreaterThan(500);
    expect(problems).toEqual([]);
  });

  it('lets the host take an object and give it back', async () => {
    const { net, sessions, reps } = await world(3, { session: { topology: 'mesh' } });
    const problems = watch(sessions, reps);
    const ship = reps[1]!.spawn(Ship, { x: 5 });
    await net.run(300);
    const host = reps[0]!;
    host.transfer(host.get(ship.id)!, sessions[0]!.id);
    await net.run(300);
    const taken = host.get(ship.id) as Ship;
    taken.y = 42;
    await net.run(300);
    expect((reps[2]!.get(ship.id) as Ship).y).toBeCloseTo(42, 3);
    expect(ship.y).toBeCloseTo(42, 3);
    host.transfer(taken, sessions[1]!.id);
    await net.run(300);
    ship.y = -3;
    await net.run(300);
    expect((reps[2]!.get(ship.id) as Ship).y).toBeCloseTo(-3, 3);
    expect(taken.y).toBeCloseTo(-3, 3);
    expect(ownersOf(reps, ship)).toEqual([sessions[1]!.id, sessions[1]!.id, sessions[1]!.id]);
    expect(problems).toEqual([]);
  });

  it('never applies an ownership claim the host did not make', async () => {
    const { net, sessions, reps } = await world(3, { session: { topology: 'mesh' } });
    const ship = reps[1]!.spawn(Ship, { x: 5 });
    await net.run(300);
    // Peer 2 claims peer 1's ship without the host's word: its claim waits forever, its state is
    // never accepted, and the object stays peer 1's everywhere.
    const thief = reps[2]!;
    const stolen = thief.get(ship.id)!;
    thief.ownership.apply(thief.entries.get(ship.id)!, sessions[2]!.id);
    (stolen as Ship).x = 999;
    ship.x = 6;
    await net.run(600);
    expect(reps[0]!.get(ship.id)!.owner).toBe(sessions[1]!.id);
    expect((reps[0]!.get(ship.id) as Ship).x).toBeCloseTo(6, 3);
    expect(reps[0]!.links.get(sessions[2]!.id)!.deferred.length).toBeGreaterThan(0);
  });
});

describe('host migration in a mesh', () => {
  for (const how of ['closes', 'crashes'] as const) {
    it(`hands the host's objects to the new host when the host ${how}: none lost, state flows on`, async () => {
      const { net, sessions, reps } = await world(6, {
        net: { latency: 30, jitter: 5, loss: 0.02 },
        session: { topology: 'mesh', heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1000 },
      });
      const problems = watch(sessions.slice(1), reps.slice(1));
      const oldHost = reps[0]!;
      const hostShips = [0, 1, 2].map((i) => oldHost.spawn(Ship, { name: `h${i}`, x: i, hp: 50 + i }));
      const peerShips = [1, 2, 3, 4, 5].map((i) => reps[i]!.spawn(Ship, { name: `p${i}`, y: i }));
      for (let t = 0; t < 30; t++) {
        for (const s of hostShips) s.x += 0.1;
        for (const s of peerShips) s.y += 0.1;
        await net.run(33);
      }
      const ids = [...hostShips, ...peerShips].map((s) => s.id).sort();
      const ticksBefore = reps.slice(1).map((rep) => rep.loop.tick);
      if (how === 'closes') await sessions[0]!.close();
      else net.crash(sessions[0]!.transport.localId);
      await net.run(how === 'closes' ? 500 : 2500);
      const rest = reps.slice(1);
      // The member with the lowest session index took over, on every peer alike.
      const n = sessions.findIndex((s, i) => i > 0 && s.isHost);
      const newHost = sessions[n]!;
      expect(sessions.slice(1).map((s) => [s.hostId, s.connected])).toEqual(
        sessions.slice(1).map(() => [newHost.id, true]),
      );
      for (const rep of rest) {
        // Every object is still there, on every peer, and the host's went to the new host.
        expect(
          rep
            .objects()
            .map((o) => o.id)
            .sort(),
        ).toEqual(ids);
        for (const s of hostShips) expect(rep.get(s.id)!.owner).toBe(newHost.id);
        for (const [i, s] of peerShips.entries()) expect(rep.get(s.id)!.owner).toBe(sessions[i + 1]!.id);
      }
      // The new host moves its adopted objects; everybody sees it.
      const adopted = hostShips.map((s) => reps[n]!.get(s.id) as Ship);
      expect(adopted.every((s) => s.hasAuthority)).toBe(true);
      for (let t = 0; t < 30; t++) {
        for (const s of adopted) s.x -= 0.2;
        for (const s of peerShips.slice(1)) s.y -= 0.1;
        await net.run(33);
      }
      adopted[0]!.hp = 1;
      net.configure({ loss: 0 });
      await net.run(800);
      for (const rep of rest) {
        expect(
          differences(
            reps[n]!,
            rep,
            adopted.map((s) => s.id),
          ),
        ).toEqual([]);
        for (const [i, s] of peerShips.entries()) expect(differences(reps[i + 1]!, rep, [s.id])).toEqual([]);
      }
      expect((reps[4]!.get(adopted[0]!.id) as Ship).hp).toBe(1);
      // Ticks went on everywhere.
      for (const [i, rep] of rest.entries()) expect(rep.loop.tick).toBeGreaterThan(ticksBefore[i]! + 40);
      expect(problems).toEqual([]);
    });
  }
});
