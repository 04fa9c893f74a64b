import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/sim/index.js';
import { Channel } from '../../src/transport/channels.js';
import { numbered, pair, record } from './helpers.js';

describe('bandwidth cap', () => {
  it('serialises datagrams one after another at size / bandwidth', async () => {
    // 10 kB/s: a 1000-byte datagram takes 100 ms to leave.
    const net = new SimNetwork({ seed: 1, latency: 50, bandwidth: 10_000 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    const start = net.now();
    for (let i = 0; i < 5; i++) a.send(b.localId, Channel.Reliable, numbered(i, 1000));
    await net.run(2_000);
    expect(got.map((r) => r.at - start)).toEqual([150, 250, 350, 450, 550]);
  });

  it('reports the queue in stats while it drains', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10, bandwidth: 10_000 });
    const [a, b] = await pair(net);
    for (let i = 0; i < 4; i++) a.send(b.localId, Channel.Reliable, numbered(i, 1000));
    a.send(b.localId, Channel.Unreliable, numbered(9, 500));
    let stats = a.stats(b.localId)!;
    expect(stats.queuedBytes).toBe(4_500);
    expect(stats.channels![Channel.Reliable]!.queuedBytes).toBe(4_000);
    expect(stats.channels![Channel.Unreliable]!.queuedBytes).toBe(500);
    await net.run(250);
    stats = a.stats(b.localId)!;
    expect(stats.queuedBytes).toBe(2_500);
    await net.run(1_000);
    expect(a.stats(b.localId)!.queuedBytes).toBe(0);
  });

  it('drops unreliable datagrams that would wait over a second; reliable ones wait', async () => {
    const net = new SimNetwork({ seed: 1, latency: 0, bandwidth: 10_000 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    // 30 kB queued: 3 s of sending.
    for (let i = 0; i < 30; i++) a.send(b.localId, Channel.Reliable, numbered(i, 1000));
    a.send(b.localId, Channel.Unreliable, numbered(100, 100));
    a.send(b.localId, Channel.UnreliableOrdered, numbered(101, 100));
    expect(a.stats(b.localId)!.dropped).toBe(2);
    await net.run(10_000);
    expect(got.map((r) => r.n)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(got.at(-1)!.at - got[0]!.at).toBeCloseTo(2_900, 6);
  });

  it('caps each direction on its own', async () => {
    const net = new SimNetwork({ seed: 1, latency: 0 });
    const [a, b] = await pair(net);
    net.setLink(a, b, { bandwidth: 1_000 }, { oneWay: true });
    const atB = record(net, b);
    const atA = record(net, a);
    const start = net.now();
    a.send(b.localId, Channel.Reliable, numbered(1, 500));
    b.send(a.localId, Channel.Reliable, numbered(2, 500));
    await net.run(1_000);
    expect(atA.map((r) => r.at - start)).toEqual([0]);
    expect(atB.map((r) => r.at - start)).toEqual([500]);
  });
});
