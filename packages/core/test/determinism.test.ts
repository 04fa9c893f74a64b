import { describe, expect, it } from 'vitest';
import { joinSession, SimNetwork } from '../src/index.js';
import { setup } from './fixtures.js';

/** A seeded scenario with loss, jitter, joins, leaves and calls; returns the full event log. */
async function scenario(seed: number): Promise<string[]> {
  const log: string[] = [];
  const net = new SimNetwork({ seed, latency: 10 });
  const { sessions, games } = await setup(4, {
    net,
    topology: 'mesh',
    setup: (s, i) => {
      for (const type of [
        'peer-joined',
        'peer-left',
        'host-changed',
        'connected',
        'disconnected',
        'error',
      ] as const) {
        s.events.on(type, (event) =>
          log.push(
            `${net.now()} #${i} ${type} ${JSON.stringify(event, (_k, v) => (v instanceof Error ? v.message : v))}`,
          ),
        );
      }
    },
  });
  net.configure({ loss: 0.2, jitter: 15, duplicate: 0.05 });
  for (let round = 0; round < 30; round++) {
    const from = Math.floor(net.random() * sessions.length);
    const s = sessions[from]!;
    if (s.connected) {
      s.rpc(games[from]!).move(round, from);
      s.request(games[from]!, { to: s.hostId! })
        .add(round, 1)
        .then(
          (value) => log.push(`${net.now()} #${from} result ${value}`),
          (error) => log.push(`${net.now()} #${from} failed ${error.code}`),
        );
    }
    if (round === 10) await sessions[0]!.close();
    if (round === 20) await joinSession(net, sessions, { topology: 'mesh', waitConnected: false });
    await net.run(37);
  }
  await net.run(1000);
  for (const [i, game] of games.entries())
    log.push(`#${i} moves ${JSON.stringify(game.of('move').map((c) => c.args))}`);
  return log;
}

describe('determinism', () => {
  it('the same seed gives the same run, event for event; another seed gives another run', async () => {
    const first = await scenario(42);
    const second = await scenario(42);
    expect(first.length).toBeGreaterThan(20);
    expect(second).toEqual(first);
    const other = await scenario(43);
    expect(other).not.toEqual(first);
  });
});
