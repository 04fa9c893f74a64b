import { describe, expect, it } from 'vitest';
import { setup } from '../fixtures.js';

describe('star topology: a host with 5 clients, relaying', () => {
  it('clients link only to the host, and everyone knows everyone', async () => {
    const { sessions, host } = await setup(6);
    expect(host.isHost).toBe(true);
    for (const client of sessions.slice(1)) {
      expect(client.transport.peers()).toEqual([host.id]);
      expect(client.hostId).toBe(host.id);
      expect(new Set(client.peers())).toEqual(new Set(sessions.filter((s) => s !== client).map((s) => s.id)));
    }
    // Compact indices agree on every peer.
    for (const s of sessions)
      for (const other of sessions) expect(s.indexOf(other.id)).toBe(host.indexOf(other.id));
  });

  it('a client call to everyone reaches the host and every other client, relayed, with the true sender', async () => {
    const { net, sessions, games } = await setup(6);
    sessions[2]!.rpc(games[2]!).move(3, 4);
    await net.run(100);
    games.forEach((game, i) => {
      expect(game.of('move')).toEqual(
        i === 2 ? [] : [{ method: 'move', args: [3, 4], from: sessions[2]!.id }],
      );
    });
  });

  it('a client call to one other client goes through the host but only runs on the target', async () => {
    const { net, sessions, games } = await setup(6);
    sessions[1]!.rpc(games[1]!, { to: sessions[4]!.id }).move(1, 2);
    await net.run(100);
    expect(games.map((g) => g.of('move').length)).toEqual([0, 0, 0, 0, 1, 0]);
    expect(games[4]!.of('move')[0]!.from).toBe(sessions[1]!.id);
  });

  it('targets the host, and all but one', async () => {
    const { net, sessions, games } = await setup(6);
    sessions[3]!.rpc(games[3]!, { to: 'host' }).move(7, 7);
    sessions[3]!.rpc(games[3]!, { except: sessions[5]!.id }).move(8, 8);
    sessions[0]!.rpc(games[0]!, { except: sessions[1]!.id }).move(9, 9);
    await net.run(100);
    // Relayed calls take two hops and direct ones one, so compare as sets.
    const seen = games.map((g) =>
      g
        .of('move')
        .map((c) => c.args[0] as number)
        .sort(),
    );
    expect(seen).toEqual([[7, 8], [8], [8, 9], [9], [8, 9], [9]]);
  });

  it('relays raw bytes', async () => {
    const { net, sessions } = await setup(4);
    const got: [string, number[]][] = [];
    sessions[2]!.events.on('bytes', ({ from, data }) => got.push([from, [...data]]));
    sessions[1]!.sendBytes(new Uint8Array([1, 2, 3]), { to: sessions[2]!.id });
    await net.run(100);
    expect(got).toEqual([[sessions[1]!.id, [1, 2, 3]]]);
  });

  it('a client leaving is announced to all, and the others keep talking', async () => {
    const { net, sessions, games } = await setup(4);
    const left: string[] = [];
    sessions[1]!.events.on('peer-left', ({ peer, code }) => left.push(`${peer}:${code}`));
    await sessions[3]!.close();
    await net.run(100);
    expect(left).toEqual([`${sessions[3]!.id}:left`]);
    sessions[2]!.rpc(games[2]!).move(1, 1);
    await net.run(100);
    expect(games.map((g) => g.of('move').length)).toEqual([1, 1, 0, 0]);
  });

  it('the host leaving disconnects every client (no migration without links between clients)', async () => {
    const { net, sessions } = await setup(3);
    const codes: string[] = [];
    for (const s of sessions.slice(1)) s.events.on('disconnected', ({ code }) => codes.push(code));
    await sessions[0]!.close();
    await net.run(100);
    expect(codes).toEqual(['left', 'left']);
    expect(sessions.every((s) => !s.connected)).toBe(true);
  });
});
