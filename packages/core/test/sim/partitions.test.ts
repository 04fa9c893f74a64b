import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/sim/index.js';
import { Channel } from '../../src/transport/channels.js';
import { numbered, pair, record } from './helpers.js';

describe('partitions', () => {
  it('holds reliable traffic until heal, loses unreliable traffic, fires no events', async () => {
    const net = new SimNetwork({ seed: 1, latency: 20 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    const events: string[] = [];
    for (const t of [a, b]) {
      t.events.on('peer-connected', () => events.push('connected'));
      t.events.on('peer-disconnected', () => events.push('disconnected'));
    }
    // One of each in flight when the cut happens, more sent during it.
    a.send(b.localId, Channel.Reliable, numbered(0));
    a.send(b.localId, Channel.Unreliable, numbered(100));
    await net.run(5);
    const cut = net.partition([a]);
    for (let i = 1; i <= 3; i++) {
      a.send(b.localId, Channel.Reliable, numbered(i));
      a.send(b.localId, Channel.Unreliable, numbered(100 + i));
      a.send(b.localId, Channel.UnreliableOrdered, numbered(200 + i));
    }
    await net.run(5_000);
    expect(got).toEqual([]);
    expect(a.peers()).toEqual([b.localId]);
    expect(b.peers()).toEqual([a.localId]);
    const healedAt = net.now();
    net.heal(cut);
    await net.run(1_000);
    expect(got.map((r) => r.n)).toEqual([0, 1, 2, 3]);
    expect(got[0]!.at - healedAt).toBe(20);
    expect(a.stats(b.localId)!.dropped).toBe(7);
    expect(events).toEqual([]);
  });

  it('keeps reliable order when in-flight datagrams and held ones mix across a heal', async () => {
    const net = new SimNetwork({ seed: 3, latency: 30, jitter: 20, loss: 0.2 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    const handle = net.partition([a], [b]);
    let n = 0;
    for (let step = 0; step < 200; step++) {
      a.send(b.localId, Channel.Reliable, numbered(n++));
      if (step === 50) net.heal(handle);
      if (step === 100) net.partition([b], [a]);
      if (step === 150) net.heal();
      await net.run(3);
    }
    await net.run(10_000);
    expect(got.map((r) => r.n)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('cuts only the named groups and defaults to everyone else', async () => {
    const net = new SimNetwork({ seed: 1, latency: 5 });
    const [a, b, c] = [net.createTransport(), net.createTransport(), net.createTransport()];
    net.connectAll();
    await net.run(5);
    const logs = [a, b, c].map((t) => record(net, t));
    const sendAll = () => {
      for (const from of [a, b, c]) {
        for (const to of [a, b, c]) if (from !== to) from.send(to.localId, Channel.Unreliable, numbered(0));
      }
    };
    const h = net.partition([a], [b]);
    sendAll();
    await net.run(10);
    expect(logs.map((l) => l.length)).toEqual([1, 1, 2]);
    net.heal(h);
    net.partition([c]);
    sendAll();
    await net.run(10);
    expect(logs.map((l) => l.length)).toEqual([2, 2, 2]);
  });

  it('drops held reliable datagrams if the link closes during the partition', async () => {
    const net = new SimNetwork({ seed: 1, latency: 5 });
    const [a, b] = await pair(net);
    const got = record(net, b);
    net.partition([a]);
    a.send(b.localId, Channel.Reliable, numbered(1));
    await net.run(100);
    a.disconnect(b.localId);
    net.heal();
    net.connect(a, b);
    await net.run(100);
    expect(got).toEqual([]);
    expect(a.peers()).toEqual([b.localId]);
  });
});

describe('crash', () => {
  it('silences the endpoint: nothing in or out, no events on either side', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const events: string[] = [];
    for (const t of [a, b]) {
      t.events.on('*', (type) => events.push(`${t === a ? 'a' : 'b'}:${String(type)}`));
    }
    a.send(b.localId, Channel.Reliable, numbered(1));
    b.send(a.localId, Channel.Reliable, numbered(2));
    net.crash(b);
    a.send(b.localId, Channel.Reliable, numbered(3));
    b.send(a.localId, Channel.Reliable, numbered(4));
    await net.run(1_000);
    expect(events).toEqual([]);
    expect(a.peers()).toEqual([b.localId]);
    // The survivor's heartbeat would now give up on the peer: only it hears about that.
    a.disconnect(b.localId, 'timeout');
    await net.run(1_000);
    expect(events).toEqual(['a:peer-disconnected']);
    expect(a.peers()).toEqual([]);
    expect(() => net.connect(a, b)).toThrow(/crashed/);
  });

  it('stays silent even when the crashed side closes itself', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const events: string[] = [];
    a.events.on('*', (type) => events.push(String(type)));
    net.crash(b);
    expect(b.crashed).toBe(true);
    await b.close();
    await net.run(1_000);
    expect(events).toEqual([]);
    expect(a.peers()).toEqual([b.localId]);
  });
});
