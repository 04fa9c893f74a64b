import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/sim/index.js';
import { Channel } from '../../src/transport/channels.js';
import { inversions, pair, record, stream } from './helpers.js';

const COUNT = 500;

describe.each([0, 0.2])('reliable channel at %s loss with jitter', (loss) => {
  it('delivers every datagram exactly once, in order', async () => {
    const net = new SimNetwork({ seed: 7, latency: 40, jitter: 30, loss, reorder: 0.1 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    await stream(net, a, b, Channel.Reliable, COUNT, 2);
    await net.run(10_000);
    expect(got.map((r) => r.n)).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    expect(got.every((r) => r.channel === Channel.Reliable && r.peer === a.localId)).toBe(true);
    expect(net.errors).toEqual([]);
  });
});

describe('reliable channel under loss', () => {
  it('pays for loss with retransmission delay and head-of-line blocking', async () => {
    const clean = new SimNetwork({ seed: 3, latency: 20 });
    const lossy = new SimNetwork({ seed: 3, latency: 20, loss: 0.3 });
    const delays: number[][] = [];
    for (const net of [clean, lossy]) {
      const [a, b] = await pair(net);
      const sentAt: number[] = [];
      const got: number[] = [];
      b.events.on('message', () => got.push(net.now() - sentAt[got.length]!));
      for (let i = 0; i < 200; i++) {
        sentAt.push(net.now());
        a.send(b.localId, Channel.Reliable, new Uint8Array([i]));
        await net.run(5);
      }
      await net.run(5_000);
      expect(got).toHaveLength(200);
      delays.push(got);
    }
    const [fast, slow] = delays as [number[], number[]];
    expect(Math.max(...fast)).toBe(20);
    // A lost attempt costs at least one RTO of max(3 × 20, 30) = 60 ms.
    expect(Math.max(...slow)).toBeGreaterThanOrEqual(80);
    expect(slow.filter((d) => d > 20).length).toBeGreaterThan(30);
  });
});

describe.each([0, 0.2])('unreliable-ordered channel at %s loss with jitter', (loss) => {
  it('never delivers out of order, and drops late packets', async () => {
    const net = new SimNetwork({ seed: 11, latency: 30, jitter: 25, loss });
    const [a, b] = await pair(net);
    const got = record(net, b);
    await stream(net, a, b, Channel.UnreliableOrdered, COUNT, 2);
    await net.run(1_000);
    const ns = got.map((r) => r.n);
    for (let i = 1; i < ns.length; i++) expect(ns[i]).toBeGreaterThan(ns[i - 1]!);
    // Jitter of ±25 ms with a 2 ms gap overtakes a lot: those late ones are dropped, not reordered.
    expect(ns.length).toBeLessThan(COUNT * 0.9);
    expect(ns.length).toBeGreaterThan(COUNT * 0.05);
    const lost = COUNT - ns.length;
    expect(a.stats(b.localId)!.dropped + b.stats(a.localId)!.dropped).toBe(lost);
    expect(b.stats(a.localId)!.dropped).toBeGreaterThan(0);
    if (loss > 0) expect(a.stats(b.localId)!.dropped).toBeGreaterThan(COUNT * 0.1);
    else expect(a.stats(b.localId)!.dropped).toBe(0);
  });
});

describe('unreliable channel', () => {
  it('is exact and in order on a perfect link', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    await stream(net, a, b, Channel.Unreliable, 100, 1);
    await net.run(100);
    expect(got.map((r) => r.n)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('loses about `loss` and reorders with jitter', async () => {
    const net = new SimNetwork({ seed: 5, latency: 30, jitter: 20, loss: 0.2 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    await stream(net, a, b, Channel.Unreliable, 2_000, 1);
    await net.run(1_000);
    const ns = got.map((r) => r.n);
    expect(new Set(ns).size).toBe(ns.length);
    expect(ns.length).toBeGreaterThan(2_000 * 0.75);
    expect(ns.length).toBeLessThan(2_000 * 0.85);
    expect(inversions(ns)).toBeGreaterThan(100);
    expect(a.stats(b.localId)!.dropped).toBe(2_000 - ns.length);
  });

  it('reorders with `reorder` even without jitter', async () => {
    const net = new SimNetwork({ seed: 5, latency: 30, reorder: 0.2 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    await stream(net, a, b, Channel.Unreliable, 500, 1);
    await net.run(1_000);
    const ns = got.map((r) => r.n);
    expect([...ns].sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(inversions(ns)).toBeGreaterThan(20);
  });
});

describe('duplication', () => {
  it('duplicates unreliable datagrams, never reliable ones', async () => {
    const net = new SimNetwork({ seed: 9, latency: 10, jitter: 5, duplicate: 0.3 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    for (let i = 0; i < 400; i++) {
      a.send(b.localId, Channel.Reliable, new Uint8Array([0, 0, 0, i & 0xff]));
      a.send(b.localId, Channel.Unreliable, new Uint8Array([0, 0, 0, i & 0xff]));
      await net.run(1);
    }
    await net.run(100);
    const reliable = got.filter((r) => r.channel === Channel.Reliable);
    const unreliable = got.filter((r) => r.channel === Channel.Unreliable);
    expect(reliable).toHaveLength(400);
    expect(unreliable.length).toBeGreaterThan(400 * 1.2);
    expect(unreliable.length).toBeLessThan(400 * 1.4);
    expect(net.totals.duplicated).toBe(unreliable.length - 400);
  });

  it('hands each copy its own bytes', async () => {
    const net = new SimNetwork({ seed: 2, duplicate: 1 });
    const [a, b] = await pair(net);
    const copies: Uint8Array[] = [];
    b.events.on('message', ({ data }) => copies.push(data));
    const sent = new Uint8Array([1, 2, 3]);
    a.send(b.localId, Channel.Unreliable, sent);
    sent[0] = 99;
    await net.run(1);
    expect(copies).toHaveLength(2);
    copies[0]![1] = 42;
    expect([...copies[1]!]).toEqual([1, 2, 3]);
  });
});

describe('user channels', () => {
  it('a maxRetransmits channel retries up to its limit', async () => {
    const net = new SimNetwork({ seed: 4, latency: 10, loss: 0.5 });
    const channels = [{ ordered: false, maxRetransmits: 3 }];
    const a = net.createTransport({ channels });
    const b = net.createTransport({ channels });
    net.connect(a, b);
    await net.run(10);
    const got = record(net, b);
    for (let i = 0; i < 1_000; i++) a.send(b.localId, 3, new Uint8Array(4));
    await net.run(1_000);
    // Four attempts at 50%: 1 - 0.5^4 = 93.75% get through.
    expect(got.length).toBeGreaterThan(900);
    expect(got.length).toBeLessThan(970);
    expect(got.every((r) => r.channel === 3)).toBe(true);
  });

  it('a maxPacketLifeTime channel is reliable within the lifetime, then drops', async () => {
    const net = new SimNetwork({ seed: 4, latency: 10, loss: 0.5 });
    // RTO is 30 ms: a datagram survives at most two retransmissions within 70 ms.
    const channels = [{ ordered: true, maxPacketLifeTime: 70 }];
    const a = net.createTransport({ channels });
    const b = net.createTransport({ channels });
    net.connect(a, b);
    await net.run(10);
    const sentAt = new Map<number, number>();
    const delays: number[] = [];
    const order: number[] = [];
    b.events.on('message', ({ data }) => {
      order.push(data[0]! * 256 + data[1]!);
      delays.push(net.now() - sentAt.get(data[0]! * 256 + data[1]!)!);
    });
    for (let i = 0; i < 1_000; i++) {
      sentAt.set(i, net.now());
      a.send(b.localId, 3, new Uint8Array([i >> 8, i & 0xff]));
      await net.run(1);
    }
    await net.run(1_000);
    // Three attempts at 50%: 87.5% arrive; none later than lifetime + transit.
    expect(order.length).toBeGreaterThan(820);
    expect(order.length).toBeLessThan(930);
    expect(Math.max(...delays)).toBeLessThanOrEqual(80);
    expect(inversions(order)).toBe(0);
  });

  it('a reliable unordered channel delivers everything once, in any order', async () => {
    const net = new SimNetwork({ seed: 8, latency: 20, jitter: 15, loss: 0.2 });
    const channels = [{ ordered: false }];
    const a = net.createTransport({ channels });
    const b = net.createTransport({ channels });
    net.connect(a, b);
    await net.run(20);
    const got = record(net, b);
    await stream(net, a, b, 3, 300, 1);
    await net.run(5_000);
    const ns = got.map((r) => r.n);
    expect([...ns].sort((x, y) => x - y)).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(inversions(ns)).toBeGreaterThan(10);
  });
});
