import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/sim/index.js';
import { Channel } from '../../src/transport/channels.js';
import { numbered, numberOf, pair } from './helpers.js';

describe('run', () => {
  it('lets async handlers finish before time moves on', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const replies: number[] = [];
    // An RPC-like handler: several awaits deep before it answers.
    const lookup = async (n: number) => {
      await Promise.resolve();
      await new Promise<void>((resolve) => queueMicrotask(resolve));
      return n * 2;
    };
    b.events.on('message', async ({ peer, data }) => {
      for (let i = 0; i < 20; i++) await null;
      b.send(peer, Channel.Reliable, numbered(await lookup(numberOf(data))));
    });
    a.events.on('message', ({ data }) => replies.push(numberOf(data)));
    const t0 = net.now();
    a.send(b.localId, Channel.Reliable, numbered(21));
    await net.run(19);
    expect(replies).toEqual([]);
    await net.run(1);
    expect(replies).toEqual([42]);
    expect(net.now() - t0).toBe(20);
  });

  it('surfaces a handler error after the step, and keeps working', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    const seen: number[] = [];
    b.events.on('message', ({ data }) => {
      if (numberOf(data) === 1) throw new Error('handler blew up');
    });
    b.events.on('message', ({ data }) => seen.push(numberOf(data)));
    a.send(b.localId, Channel.Reliable, numbered(1));
    a.send(b.localId, Channel.Reliable, numbered(2));
    await net.run(5);
    a.send(b.localId, Channel.Reliable, numbered(3));
    await expect(net.run(100)).rejects.toThrow('handler blew up');
    // The whole instant ran: the second handler and the next datagram were not skipped.
    expect(seen).toEqual([1, 2]);
    expect(net.now()).toBe(20);
    expect(net.errors).toHaveLength(1);
    await net.run(100);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('surfaces the rejection of an async handler', async () => {
    const net = new SimNetwork({ seed: 1, latency: 10 });
    const [a, b] = await pair(net);
    b.events.on('message', async () => {
      await Promise.resolve();
      throw new Error('async handler failed');
    });
    a.send(b.localId, Channel.Reliable, numbered(1));
    await expect(net.run(50)).rejects.toThrow('async handler failed');
    // It stopped at the instant the handler ran, not at the end of the 50 ms.
    expect(net.now()).toBe(20);
    expect(net.errors).toHaveLength(1);
  });

  it('surfaces errors thrown by timers on its scheduler', async () => {
    const net = new SimNetwork({ seed: 1 });
    let later = false;
    net.scheduler.setTimeout(() => {
      throw new Error('timer failed');
    }, 10);
    net.scheduler.setTimeout(() => (later = true), 10);
    await expect(net.run(50)).rejects.toThrow('timer failed');
    expect(later).toBe(true);
  });

  it('runUntil steps until the condition holds and says how long it took', async () => {
    const net = new SimNetwork({ seed: 1, latency: 37 });
    const a = net.createTransport();
    const b = net.createTransport();
    net.connect(a, b);
    const took = await net.runUntil(() => b.peers().length > 0, 1_000);
    expect(took).toBe(37);
    expect(net.now()).toBe(37);
  });

  it('runUntil fails with a clear error when time runs out', async () => {
    const net = new SimNetwork({ seed: 1 });
    await expect(net.runUntil(() => false, 500)).rejects.toThrow(
      expect.objectContaining({
        code: 'E_TIMEOUT',
        message: expect.stringMatching(/still false after 500 ms/),
      }),
    );
    expect(net.now()).toBe(500);
  });

  it('refuses overlapping runs', async () => {
    const net = new SimNetwork({ seed: 1 });
    const first = net.run(10);
    await expect(net.run(10)).rejects.toThrow(/already in progress/);
    await first;
  });

  it('net.random is seeded', () => {
    const draws = (seed: number) => {
      const net = new SimNetwork({ seed });
      return [net.random(), net.random(), net.fork('bot').next()];
    };
    expect(draws(3)).toEqual(draws(3));
    expect(draws(3)).not.toEqual(draws(4));
  });

  it('refuses nonsense link settings', () => {
    expect(() => new SimNetwork({ loss: 1.5 })).toThrow(/loss/);
    const net = new SimNetwork();
    expect(() => net.setLink('x', 'y', { latency: -1 })).toThrow(/latency/);
    expect(() => net.configure({ bandwidth: 0 })).toThrow(/bandwidth/);
  });
});

describe('real-time mode', () => {
  it('delivers on the wall clock and stops cleanly', async () => {
    const net = new SimNetwork({ seed: 1, latency: 20, realtime: true });
    const a = net.createTransport();
    const b = net.createTransport();
    net.connect(a, b);
    await net.runUntil(() => a.peers().length === 1, 2_000);
    const sentAt = performance.now();
    let arrivedAfter = -1;
    b.events.on('message', () => (arrivedAfter = performance.now() - sentAt));
    a.send(b.localId, Channel.Reliable, numbered(1));
    await net.run(5);
    expect(arrivedAfter).toBe(-1);
    await net.runUntil(() => arrivedAfter >= 0, 2_000);
    // Real timers may run late on a busy machine, never early.
    expect(arrivedAfter).toBeGreaterThanOrEqual(19);
    expect(arrivedAfter).toBeLessThan(1_000);
    let fired = false;
    net.scheduler.setTimeout(() => (fired = true), 30);
    await net.stop();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fired).toBe(false);
  });
});
