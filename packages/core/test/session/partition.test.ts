import { describe, expect, it } from 'vitest';
import { setup } from '../fixtures.js';

describe('partitions', () => {
  it('a short partition delays reliable calls; after healing they arrive exactly once, in order', async () => {
    const { net, sessions, games } = await setup(3); // heartbeat timeout 1000 ms
    const cut = net.partition([sessions[1]!.transport.localId]);
    for (let i = 0; i < 10; i++) sessions[1]!.rpc(games[1]!, { to: 'host' }).move(i, 0);
    await net.run(600);
    expect(games[0]!.of('move')).toEqual([]);
    net.heal(cut);
    await net.run(300);
    expect(games[0]!.of('move').map((c) => c.args[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(sessions.every((s) => s.connected)).toBe(true);
  });

  it('a partition longer than the heartbeat timeout drops the cut-off client on both sides', async () => {
    const { net, sessions } = await setup(3);
    const cut = net.partition([sessions[2]!.transport.localId]);
    const codes: string[] = [];
    sessions[2]!.events.on('disconnected', ({ code }) => codes.push(code));
    const left: string[] = [];
    sessions[0]!.events.on('peer-left', ({ code }) => left.push(code));
    await net.run(1500);
    net.heal(cut);
    await net.run(500);
    expect(left).toEqual(['E_TIMEOUT']);
    expect(codes).toEqual(['E_HOST_LEFT']);
    expect(sessions[0]!.peers()).toEqual([sessions[1]!.id]);
    expect(sessions[1]!.peers()).toEqual([sessions[0]!.id]);
  });

  it('mesh: a partition between two clients heals without anyone leaving (the host relays meanwhile)', async () => {
    const { net, sessions, games } = await setup(3, { topology: 'mesh' });
    const [a, b] = [sessions[1]!, sessions[2]!];
    const cut = net.partition([a.transport.localId], [b.transport.localId]);
    await net.run(1500); // the direct link times out
    expect(a.transport.peers()).not.toContain(b.id);
    a.rpc(games[1]!, { to: b.id }).move(1, 1);
    await net.run(200);
    expect(games[2]!.of('move').map((c) => c.from)).toEqual([a.id]);
    net.heal(cut);
    a.rpc(games[1]!, { to: b.id }).move(2, 2);
    await net.run(200);
    expect(games[2]!.of('move').map((c) => c.args[0])).toEqual([1, 2]);
    expect(sessions.map((s) => s.peers().length)).toEqual([2, 2, 2]);
  });
});
