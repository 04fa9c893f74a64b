import { describe, expect, it } from 'vitest';
import { Channel, createSessions, rpc, type Session, SimNetwork } from '../../src/index.js';
import { setup } from '../fixtures.js';

class Snap {
  count = 0;
  @rpc({ mode: 'any', transfer: 'unreliable' })
  state(blob: string) {
    this.count += blob.length > 0 ? 1 : 0;
  }
}

function recordDatagrams(session: Session) {
  const datagrams: { channel: number; size: number }[] = [];
  const transport = session.transport;
  const send = transport.send.bind(transport);
  transport.send = (peer, channel, data) => {
    datagrams.push({ channel, size: data.length });
    send(peer, channel, data);
  };
  return datagrams;
}

describe('batching', () => {
  it('packs all calls of one flush to one peer into one reliable datagram; 2 small ints cost ≤ 6 bytes a call', async () => {
    const { net, sessions, games } = await setup(2);
    const datagrams = recordDatagrams(sessions[1]!);
    for (let i = 0; i < 100; i++) sessions[1]!.rpc(games[1]!, { to: 'host' }).move(i % 100, 7);
    await net.run(50);
    const rpcDatagrams = datagrams.filter((d) => d.channel === Channel.Reliable);
    expect(rpcDatagrams).toHaveLength(1);
    expect(rpcDatagrams[0]!.size / 100).toBeLessThanOrEqual(6);
    expect(games[0]!.of('move')).toHaveLength(100);
  });

  it('keeps every unreliable datagram ≤ 1200 bytes and loses nothing when splitting', async () => {
    const net = new SimNetwork({ seed: 2, latency: 5 });
    const snaps: Snap[] = [];
    const sessions = await createSessions(net, 2, {
      setup: (s, i) => void (snaps[i] = s.register('snap', new Snap())),
    });
    const datagrams = recordDatagrams(sessions[0]!);
    for (let i = 0; i < 60; i++) sessions[0]!.rpc(snaps[0]!).state('x'.repeat(100));
    await net.run(50);
    const unreliable = datagrams.filter((d) => d.channel === Channel.Unreliable);
    expect(unreliable.length).toBeGreaterThan(1);
    expect(Math.max(...unreliable.map((d) => d.size))).toBeLessThanOrEqual(1200);
    expect(snaps[1]!.count).toBe(60);
  });

  it('refuses a single unreliable message larger than 1200 bytes with E_MESSAGE_TOO_LARGE', async () => {
    const net = new SimNetwork({ seed: 2 });
    const snaps: Snap[] = [];
    const sessions = await createSessions(net, 2, {
      setup: (s, i) => void (snaps[i] = s.register('snap', new Snap())),
    });
    expect(() => sessions[0]!.rpc(snaps[0]!).state('x'.repeat(2000))).toThrow(
      expect.objectContaining({ code: 'E_MESSAGE_TOO_LARGE' }),
    );
  });

  it('sends a large reliable message whole (the transport fragments it)', async () => {
    const { net, sessions } = await setup(2);
    const got: number[] = [];
    sessions[0]!.events.on('bytes', ({ data }) => got.push(data.length));
    sessions[1]!.sendBytes(new Uint8Array(100_000).fill(7), { to: 'host' });
    await net.run(100);
    expect(got).toEqual([100_000]);
  });

  it('with autoFlush off, nothing leaves until flush()', async () => {
    const { net, sessions, games } = await setup(2, { autoFlush: false });
    sessions[1]!.flush(); // the handshake is done; flush any leftovers
    sessions[1]!.rpc(games[1]!, { to: 'host' }).move(1, 1);
    await net.run(100);
    expect(games[0]!.of('move')).toHaveLength(0);
    sessions[1]!.flush();
    await net.run(100);
    expect(games[0]!.of('move')).toHaveLength(1);
  });

  it("inbox 'poll' holds incoming calls until poll()", async () => {
    const { net, sessions, games } = await setup(2, { inbox: 'poll' });
    sessions[0]!.poll();
    sessions[1]!.poll();
    sessions[1]!.rpc(games[1]!, { to: 'host' }).move(1, 1);
    await net.run(100);
    expect(games[0]!.of('move')).toHaveLength(0);
    sessions[0]!.poll();
    expect(games[0]!.of('move')).toHaveLength(1);
  });
});

describe('size limits', () => {
  it('refuses a message above the transport limit at the call site, before anything is queued', async () => {
    const { net, sessions } = await setup(2);
    const limit = sessions[1]!.transport.maxMessageSize(sessions[0]!.id);
    expect(() => sessions[1]!.sendBytes(new Uint8Array(limit + 1), { to: 'host' })).toThrow(
      expect.objectContaining({ code: 'E_MESSAGE_TOO_LARGE' }),
    );
    await net.run(100);
    expect(sessions[1]!.connected).toBe(true);
  });
});
