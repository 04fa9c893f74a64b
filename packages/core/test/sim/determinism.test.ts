import { describe, expect, it } from 'vitest';
import { SimNetwork } from '../../src/sim/index.js';
import { Channel } from '../../src/transport/channels.js';
import { numbered, numberOf } from './helpers.js';

/** A busy scenario touching every random choice; returns everything observable, in order. */
async function scenario(seed: number): Promise<string[]> {
  const net = new SimNetwork({ seed, latency: 20, jitter: 15, loss: 0.15, duplicate: 0.1, reorder: 0.1 });
  const peers = Array.from({ length: 4 }, () => net.createTransport());
  const log: string[] = peers.map((p) => `id ${p.localId}`);
  for (const t of peers) {
    t.events.on('*', (type, event) => {
      const e = event as { peer?: string; channel?: number; data?: Uint8Array };
      const n = e.data ? numberOf(e.data) : '';
      log.push(`${net.now().toFixed(6)} ${t.localId} ${String(type)} ${e.peer} ${e.channel ?? ''} ${n}`);
    });
  }
  net.connectAll();
  await net.run(30);
  for (let step = 0; step < 100; step++) {
    const from = peers[Math.floor(net.random() * peers.length)]!;
    for (const to of from.peers()) {
      from.send(to, step % 3, numbered(step));
    }
    if (step === 60) net.partition([peers[0]!]);
    if (step === 80) net.heal();
    await net.run(1 + net.random() * 5);
  }
  await net.run(2_000);
  return log;
}

describe('determinism', () => {
  it('gives the same ids, deliveries, times and losses for the same seed', async () => {
    const first = await scenario(42);
    const second = await scenario(42);
    expect(first.length).toBeGreaterThan(200);
    expect(second).toEqual(first);
  });

  it('gives a different run for a different seed', async () => {
    const first = await scenario(42);
    const other = await scenario(43);
    expect(other).not.toEqual(first);
    expect(other[0]).not.toEqual(first[0]);
  });

  it('keeps one link unchanged when another link is added', async () => {
    const arrivals = async (extraLink: boolean) => {
      const net = new SimNetwork({ seed: 5, latency: 10, jitter: 10, loss: 0.3 });
      const a = net.createTransport();
      const b = net.createTransport();
      const c = net.createTransport();
      net.connect(a, b);
      if (extraLink) net.connect(a, c);
      await net.run(20);
      const times: string[] = [];
      b.events.on('message', ({ data }) => times.push(`${numberOf(data)}@${net.now()}`));
      for (let i = 0; i < 50; i++) {
        a.send(b.localId, Channel.Unreliable, numbered(i));
        if (extraLink) a.send(c.localId, Channel.Unreliable, numbered(i));
      }
      await net.run(100);
      return times;
    };
    expect(await arrivals(true)).toEqual(await arrivals(false));
  });
});
