import { describe, expect, it } from 'vitest';
import { setup } from '../fixtures.js';

describe('mesh topology: 6 peers', () => {
  it('links every pair and every pair exchanges calls directly', async () => {
    const { net, sessions, games } = await setup(6, { topology: 'mesh' });
    for (const s of sessions) expect(s.transport.peers()).toHaveLength(5);
    for (const [i, s] of sessions.entries()) {
      for (const other of sessions) if (other !== s) s.rpc(games[i]!, { to: other.id }).move(i, 0);
    }
    await net.run(100);
    for (const [j, game] of games.entries()) {
      const senders = game
        .of('move')
        .map((c) => c.from)
        .sort();
      expect(senders).toEqual(
        sessions
          .filter((_, i) => i !== j)
          .map((s) => s.id)
          .sort(),
      );
    }
  });

  it('requests go peer to peer and resolve with the value', async () => {
    const { net, sessions, games } = await setup(6, { topology: 'mesh' });
    const pending = sessions.map((s, i) =>
      s.request(games[i]!, { to: sessions[(i + 1) % 6]!.id }).add(i, 10),
    );
    await net.run(100);
    expect(await Promise.all(pending)).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('elects the lowest-index member as host when the host leaves, on every peer alike', async () => {
    const { net, sessions, games } = await setup(6, { topology: 'mesh' });
    const changes: string[][] = sessions.map(() => []);
    sessions.forEach((s, i) => {
      s.events.on('host-changed', ({ host }) => void changes[i]!.push(host));
    });
    await sessions[0]!.close();
    await net.run(200);
    const next = sessions[1]!;
    expect(next.isHost).toBe(true);
    for (const [i, s] of sessions.entries()) {
      if (i === 0) continue;
      expect(s.hostId).toBe(next.id);
      expect(changes[i]).toEqual([next.id]);
      expect(s.peers()).not.toContain(sessions[0]!.id);
    }
    // The service keeps working with the new host as its authority.
    next.rpc(games[1]!).announce('new host here');
    await net.run(100);
    expect(games.slice(2).map((g) => g.of('announce').length)).toEqual([1, 1, 1, 1]);
  });

  it('notices a crashed host by heartbeat and elects the next one', async () => {
    const { net, sessions } = await setup(4, { topology: 'mesh' });
    net.crash(sessions[0]!.transport.localId);
    await net.run(2000);
    for (const s of sessions.slice(1)) expect(s.hostId).toBe(sessions[1]!.id);
    expect(sessions[1]!.isHost).toBe(true);
  });

  it('a peer that hears the new host before its own heartbeat gives up keeps no ghost of the old host', async () => {
    // Peer 3 waits much longer than the others before declaring a silent link dead.
    const { net, sessions } = await setup(4, {
      topology: 'mesh',
      perPeer: (i) => (i === 3 ? { heartbeatTimeoutMs: 8000 } : {}),
    });
    const old = sessions[0]!.id;
    const left: string[] = [];
    sessions[3]!.events.on('peer-left', ({ peer, code }) => left.push(`${peer}:${code}`));
    net.crash(sessions[0]!.transport.localId);
    await net.run(2500);
    expect(sessions[3]!.hostId).toBe(sessions[1]!.id);
    expect(sessions[3]!.peers()).not.toContain(old);
    expect(left).toEqual([`${old}:E_HOST_LEFT`]);
    for (const s of sessions.slice(1))
      expect(s.peers().sort()).toEqual(
        sessions
          .slice(1)
          .map((x) => x.id)
          .filter((id) => id !== s.id)
          .sort(),
      );
  });

  it('a late joiner links to everyone and is known by everyone', async () => {
    const { net, sessions, games } = await setup(3, { topology: 'mesh' });
    const { joinSession } = await import('../../src/index.js');
    const { Game } = await import('../fixtures.js');
    const lateGame = new Game();
    const late = await joinSession(net, sessions, {
      topology: 'mesh',
      setup: (s) => {
        s.register('game', lateGame);
      },
    });
    await net.run(50);
    for (const s of sessions) expect(s.peers()).toContain(late.id);
    late.rpc(lateGame).move(5, 5);
    await net.run(50);
    expect(games.map((g) => g.of('move').length)).toEqual([1, 1, 1]);
  });
});
