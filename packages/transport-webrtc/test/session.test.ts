// The core session suite's main scenarios again, over real WebRTC links instead of SimNetwork:
// star relay and targets, raw bytes (one of 1 MiB, fragmented on both hops), leaving, the host
// leaving, kicks, requests, auth, and mesh host election and late joiners.
import { rpc, Session } from '@meshplay/core';
import { afterAll, describe, expect, it } from 'vitest';
import { Pool, sessions, waitFor } from './helpers.js';

class Game {
  readonly calls: { method: string; args: unknown[]; from: string | undefined }[] = [];
  constructor(readonly session: Session) {}

  @rpc({ mode: 'any' })
  move(x: number, y: number) {
    this.calls.push({ method: 'move', args: [x, y], from: this.session.remoteSender });
  }

  @rpc({ mode: 'authority' })
  announce(text: string) {
    this.calls.push({ method: 'announce', args: [text], from: this.session.remoteSender });
  }

  @rpc({ mode: 'any' })
  add(a: number, b: number): number {
    return a + b;
  }

  @rpc({ mode: 'any' })
  fail(message: string): never {
    throw new Error(message);
  }

  @rpc({ mode: 'any' })
  never(): Promise<void> {
    return new Promise(() => {});
  }

  of(method: string) {
    return this.calls.filter((call) => call.method === method);
  }
}

const pool = new Pool();
afterAll(() => pool.closeAll());

let rooms = 0;
/** `n` sessions in a fresh room, each with a registered Game. */
async function game(n: number, topology: 'host' | 'mesh' = 'host') {
  const games: Game[] = [];
  const group = await sessions(pool, `session-${rooms++}`, n, {
    topology,
    requestTimeoutMs: 3000,
    setup: (session, i) => void (games[i] = session.register('game', new Game(session))),
  });
  return { group, games, host: group[0]! };
}

function outcome(session: Session): string[] {
  const log: string[] = [];
  session.events.on('disconnected', ({ code, reason }) => log.push(`${code}: ${reason}`));
  return log;
}

describe('star over WebRTC', () => {
  it('targets the host, all but one, and one client through the relay, with the true sender', async () => {
    const { group, games } = await game(5);
    group[3]!.rpc(games[3]!, { to: 'host' }).move(7, 7);
    group[3]!.rpc(games[3]!, { except: group[4]!.id }).move(8, 8);
    group[1]!.rpc(games[1]!, { to: group[2]!.id }).move(9, 9);
    await waitFor(() => games.reduce((n, g) => n + g.of('move').length, 0) === 5, 10_000, 'five calls');
    const seen = games.map((g) =>
      g
        .of('move')
        .map((c) => c.args[0] as number)
        .sort(),
    );
    expect(seen).toEqual([[7, 8], [8], [8, 9], [], []]);
    expect(games[2]!.of('move').find((c) => c.args[0] === 9)?.from).toBe(group[1]!.id);
  });

  it('relays raw bytes, including a 1 MiB datagram fragmented on both hops', async () => {
    const { group } = await game(3);
    const big = new Uint8Array(1024 * 1024).map((_, i) => i * 13);
    const got: { from: string; data: Uint8Array }[] = [];
    group[2]!.events.on('bytes', ({ from, data }) => got.push({ from, data: data.slice() }));
    group[1]!.sendBytes(new Uint8Array([1, 2, 3]), { to: group[2]!.id });
    group[1]!.sendBytes(big, { to: group[2]!.id });
    await waitFor(() => got.length === 2, 10_000, 'both payloads');
    expect(got.map((g) => g.from)).toEqual([group[1]!.id, group[1]!.id]);
    expect([...got[0]!.data]).toEqual([1, 2, 3]);
    expect(Buffer.compare(got[1]!.data, big)).toBe(0);
  });

  it('a client leaving is announced to all, and the others keep talking', async () => {
    const { group, games } = await game(4);
    const left: string[] = [];
    group[1]!.events.on('peer-left', ({ peer, code }) => left.push(`${peer}:${code}`));
    await group[3]!.close();
    await waitFor(() => left.length === 1, 10_000, 'the announcement');
    expect(left).toEqual([`${group[3]!.id}:left`]);
    group[2]!.rpc(games[2]!).move(1, 1);
    await waitFor(
      () => games[0]!.of('move').length === 1 && games[1]!.of('move').length === 1,
      10_000,
      'the call',
    );
    expect(games[3]!.of('move')).toEqual([]);
  });

  it('the host leaving disconnects every client', async () => {
    const { group } = await game(3);
    const codes = group.slice(1).map(outcome);
    await group[0]!.close();
    await waitFor(() => codes.every((c) => c.length === 1), 10_000, 'both clients to be out');
    expect(codes.map((c) => c[0]!.split(':')[0])).toEqual(['left', 'left']);
    expect(group.every((s) => !s.connected)).toBe(true);
  });

  it('kick removes a member, tells it the reason, and tells everyone else', async () => {
    const { group, host } = await game(3);
    const kicked = outcome(group[2]!);
    const left: string[] = [];
    group[1]!.events.on('peer-left', ({ peer, code }) => left.push(`${peer} ${code}`));
    host.kick(group[2]!.id, 'cheating');
    await waitFor(() => kicked.length === 1 && left.length === 1, 10_000, 'the kick');
    expect(kicked).toEqual(['E_KICKED: cheating']);
    expect(left).toEqual([`${group[2]!.id} E_KICKED`]);
  });

  it('requests resolve through the relay; a throwing method and a silent one reject with reasons', async () => {
    const { group, games } = await game(3);
    const [, a, b] = group;
    expect(await a!.request(games[1]!, { to: 'host' }).add(2, 3)).toBe(5);
    expect(await a!.request(games[1]!, { to: b!.id }).add(4, 5)).toBe(9);
    await expect(a!.request(games[1]!, { to: b!.id }).fail('boom')).rejects.toMatchObject({
      code: 'E_RPC_FAILED',
      message: expect.stringContaining('boom'),
    });
    await expect(a!.request(games[1]!, { to: 'host', timeout: 300 }).never()).rejects.toMatchObject({
      code: 'E_RPC_TIMEOUT',
    });
  });

  it('the auth hook admits or refuses; the refused peer learns why', async () => {
    const room = `session-${rooms++}`;
    const make = async (credentials: string) => {
      const transport = await pool.join(room, { topology: 'star' });
      return new Session({
        transport,
        role: transport.isHost ? 'host' : 'client',
        credentials,
        auth: (_peer, given) => (given === 'good' ? true : 'bad token'),
      });
    };
    const host = await make('');
    const good = await make('good');
    const evil = await make('evil');
    const refused = outcome(evil);
    await good.ready();
    await expect(evil.ready()).rejects.toMatchObject({ code: 'E_AUTH_REFUSED' });
    expect(refused).toEqual(['E_AUTH_REFUSED: bad token']);
    expect(host.peers()).toEqual([good.id]);
  });
});

describe('mesh over WebRTC', () => {
  it('elects the same next host on every peer when the host leaves, and authority follows it', async () => {
    const { group, games } = await game(5, 'mesh');
    const changes = group.map(() => [] as string[]);
    for (const [i, s] of group.entries())
      s.events.on('host-changed', ({ host }) => void changes[i]!.push(host));
    // The next host is the member with the lowest index (join order at the host, which need not
    // be the order the transports were made in).
    const survivors = group.slice(1);
    const next = [...survivors].sort((x, y) => group[0]!.indexOf(x.id)! - group[0]!.indexOf(y.id)!)[0]!;
    await group[0]!.close();
    await waitFor(() => survivors.every((s) => s.hostId === next.id), 15_000, 'the election');
    expect(next.isHost).toBe(true);
    for (const i of [1, 2, 3, 4]) expect(changes[i]).toEqual([next.id]);
    expect(group[0]!.connected).toBe(false);
    const nextIndex = group.indexOf(next);
    next.rpc(games[nextIndex]!).announce('new host here');
    const others = games.filter((_, i) => i !== 0 && i !== nextIndex);
    await waitFor(() => others.every((g) => g.of('announce').length === 1), 10_000, 'the announcement');
  });

  it('a late joiner links to everyone directly and is known by everyone', async () => {
    const { group, games } = await game(3, 'mesh');
    const room = group[0]!.transport as unknown as { room: string };
    const transport = await pool.join(room.room, { topology: 'mesh' });
    const late = new Session({ transport, topology: 'mesh', role: 'client' });
    const lateGame = late.register('game', new Game(late));
    await late.ready();
    await waitFor(
      () => group.every((s) => s.peers().includes(late.id)) && transport.peers().length === 3,
      15_000,
      'the late joiner to be known and linked',
    );
    late.rpc(lateGame).move(5, 5);
    await waitFor(() => games.every((g) => g.of('move').length === 1), 10_000, 'its call');
  });
});
