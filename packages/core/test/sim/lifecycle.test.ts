import { describe, expect, it } from 'vitest';
import { TransportError } from '../../src/errors.js';
import { isPeerId } from '../../src/ids.js';
import { DEFAULT_MAX_MESSAGE_SIZE, SimNetwork, type SimTransport } from '../../src/sim/index.js';
import { BUILTIN_CHANNELS, Channel } from '../../src/transport/channels.js';
import { numbered, pair, record } from './helpers.js';

function events(net: SimNetwork, t: SimTransport): string[] {
  const log: string[] = [];
  t.events.on('peer-connected', ({ peer }) => log.push(`${net.now()} connected ${peer}`));
  t.events.on('peer-disconnected', ({ peer, reason }) =>
    log.push(`${net.now()} disconnected ${peer} ${reason}`),
  );
  return log;
}

describe('connect', () => {
  it('opens both sides after one latency', async () => {
    const net = new SimNetwork({ seed: 1, latency: 25 });
    const a = net.createTransport({ id: 'a'.repeat(21) });
    const b = net.createTransport({ id: 'b'.repeat(21) });
    const la = events(net, a);
    const lb = events(net, b);
    net.connect(a, b.localId);
    expect(a.peers()).toEqual([]);
    await net.run(24);
    expect(la).toEqual([]);
    await net.run(1);
    expect(la).toEqual([`25 connected ${b.localId}`]);
    expect(lb).toEqual([`25 connected ${a.localId}`]);
    expect(a.peers()).toEqual([b.localId]);
    net.connect(b, a);
    await net.run(100);
    expect(la).toHaveLength(1);
  });

  it('makes seeded peer ids and the built-in channels plus user channels', () => {
    const net = new SimNetwork({ seed: 1 });
    const t = net.createTransport({ channels: [{ ordered: false, maxPacketLifeTime: 100, label: 'voice' }] });
    expect(isPeerId(t.localId)).toBe(true);
    expect(t.channels.slice(0, 3)).toEqual(BUILTIN_CHANNELS);
    expect(t.channels[3]).toEqual({ ordered: false, maxPacketLifeTime: 100, label: 'voice' });
    expect(() => net.createTransport({ id: t.localId })).toThrow(/already exists/);
  });

  it('drops and counts sends before the link opens', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const a = net.createTransport();
    const b = net.createTransport();
    const got = record(net, b);
    a.send(b.localId, Channel.Reliable, numbered(1));
    net.connect(a, b);
    a.send(b.localId, Channel.Reliable, numbered(2));
    expect(a.droppedWithoutLink).toBe(2);
    await net.run(10);
    a.send(b.localId, Channel.Reliable, numbered(3));
    await net.run(10);
    expect(got.map((r) => r.n)).toEqual([3]);
  });
});

describe('send', () => {
  it('copies the bytes it is given', async () => {
    const net = new SimNetwork({ seed: 1, latency: 5 });
    const [a, b] = await pair(net);
    let seen: number[] = [];
    b.events.on('message', ({ data }) => (seen = [...data]));
    const bytes = new Uint8Array([1, 2, 3]);
    a.send(b.localId, Channel.Reliable, bytes);
    bytes.fill(0);
    await net.run(5);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses unknown channels, oversized datagrams and a closed transport', async () => {
    const net = new SimNetwork({ seed: 1 });
    const [a, b] = await pair(net);
    expect(() => a.send(b.localId, 3, new Uint8Array(1))).toThrow(TransportError);
    expect(() => a.send(b.localId, -1, new Uint8Array(1))).toThrow(/unknown channel/);
    expect(a.maxMessageSize(b.localId)).toBe(DEFAULT_MAX_MESSAGE_SIZE);
    expect(() => a.send(b.localId, 0, new Uint8Array(DEFAULT_MAX_MESSAGE_SIZE + 1))).toThrow(
      expect.objectContaining({ code: 'E_MESSAGE_TOO_LARGE' }),
    );
    await a.close();
    expect(() => a.send(b.localId, 0, new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'E_TRANSPORT' }),
    );
  });

  it('uses the smaller max message size of the two ends', async () => {
    const net = new SimNetwork({ seed: 1 });
    const a = net.createTransport({ maxMessageSize: 1000 });
    const b = net.createTransport();
    net.connect(a, b);
    await net.run(0);
    expect(a.maxMessageSize(b.localId)).toBe(1000);
    expect(b.maxMessageSize(a.localId)).toBe(1000);
    expect(() => b.send(a.localId, 0, new Uint8Array(1001))).toThrow(TransportError);
  });
});

describe('disconnect and close', () => {
  it('tells the local side at once and the other side one latency later, after its last reliable words', async () => {
    const net = new SimNetwork({ seed: 1, latency: 30 });
    const [a, b] = await pair(net);
    const la = events(net, a);
    const lb = events(net, b);
    const got = record(net, b);
    const t0 = net.now();
    a.send(b.localId, Channel.Reliable, numbered(1));
    a.send(b.localId, Channel.Unreliable, numbered(2));
    a.disconnect(b.localId, 'bye');
    expect(a.peers()).toEqual([]);
    expect(a.stats(b.localId)).toBeUndefined();
    await net.run(100);
    expect(la).toEqual([`${t0} disconnected ${b.localId} bye`]);
    expect(lb).toEqual([`${t0 + 30} disconnected ${a.localId} bye`]);
    // A graceful close delivers what was sent reliably before it; unreliable data in flight is lost.
    expect(got.map((m) => m.n)).toEqual([1]);
    expect(b.peers()).toEqual([]);
  });

  it('a graceful close under loss waits for the retransmissions before telling the other side', async () => {
    const net = new SimNetwork({ seed: 3, latency: 20 });
    const [a, b] = await pair(net);
    net.configure({ loss: 0.5 });
    const got = record(net, b);
    let goneAt = -1;
    b.events.on('peer-disconnected', () => {
      goneAt = net.now();
    });
    for (let i = 0; i < 20; i++) a.send(b.localId, Channel.Reliable, numbered(i));
    await a.close();
    await net.run(5000);
    expect(got.map((m) => m.n)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(goneAt).toBeGreaterThanOrEqual(got.at(-1)!.at);
  });

  it('a crash is not graceful: nothing in flight arrives', async () => {
    const net = new SimNetwork({ seed: 1, latency: 30 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    a.send(b.localId, Channel.Reliable, numbered(1));
    net.crash(a);
    await net.run(100);
    expect(got).toEqual([]);
  });

  it('close disconnects everyone, then stays silent', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const c = net.createTransport();
    net.connect(a, c);
    await net.run(10);
    const la = events(net, a);
    const lb = events(net, b);
    const lc = events(net, c);
    const messages = record(net, a);
    b.send(a.localId, Channel.Reliable, numbered(1));
    await a.close();
    expect(la.map((e) => e.split(' ')[1])).toEqual(['disconnected', 'disconnected']);
    expect(a.peers()).toEqual([]);
    expect(net.transport(a.localId)).toBeUndefined();
    await net.run(100);
    expect(lb).toEqual([`${net.now() - 90} disconnected ${a.localId} closed`]);
    expect(lc).toHaveLength(1);
    expect(messages).toEqual([]);
    expect(la).toHaveLength(2);
  });

  it('a peer reconnecting after a disconnect sees disconnected before connected', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const lb = events(net, b);
    a.disconnect(b.localId);
    net.connect(a, b);
    await net.run(100);
    expect(lb.map((e) => e.split(' ')[1])).toEqual(['disconnected', 'connected']);
    expect(b.peers()).toEqual([a.localId]);
  });
});

describe('stats', () => {
  it('counts bytes and messages both ways, per channel, with rtt = 2 × latency', async () => {
    const net = new SimNetwork({ seed: 1, latency: 15 });
    const [a, b] = await pair(net);
    a.send(b.localId, Channel.Reliable, new Uint8Array(10));
    a.send(b.localId, Channel.Unreliable, new Uint8Array(20));
    b.send(a.localId, Channel.UnreliableOrdered, new Uint8Array(5));
    await net.run(15);
    const sa = a.stats(b.localId)!;
    const sb = b.stats(a.localId)!;
    expect(sa).toMatchObject({
      rttMs: 30,
      bytesSent: 30,
      messagesSent: 2,
      bytesReceived: 5,
      messagesReceived: 1,
      dropped: 0,
      queuedBytes: 0,
    });
    expect(sb).toMatchObject({ bytesSent: 5, messagesSent: 1, bytesReceived: 30, messagesReceived: 2 });
    expect(sa.channels![Channel.Unreliable]).toMatchObject({ bytesSent: 20, messagesSent: 1 });
    expect(sb.channels![Channel.Reliable]).toMatchObject({ bytesReceived: 10, messagesReceived: 1 });
    net.setLink(a, b, { latency: 40 }, { oneWay: true });
    expect(a.stats(b.localId)!.rttMs).toBe(55);
  });

  it('counts drops from loss on the sender', async () => {
    const net = new SimNetwork({ seed: 1, loss: 1 });
    const [a, b] = await pair(net);
    for (let i = 0; i < 10; i++) a.send(b.localId, Channel.Unreliable, new Uint8Array(1));
    await net.run(10);
    expect(a.stats(b.localId)).toMatchObject({ messagesSent: 10, dropped: 10 });
    expect(b.stats(a.localId)).toMatchObject({ messagesReceived: 0, dropped: 0 });
    expect(net.totals).toMatchObject({ sent: 10, delivered: 0, dropped: 10 });
  });
});
