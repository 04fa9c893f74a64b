import { describe, expect, it } from 'vitest';
import { joinSession, type Session } from '../../src/index.js';
import { Game, setup } from '../fixtures.js';

describe('peers joining and leaving mid-traffic', () => {
  for (const topology of ['host', 'mesh'] as const) {
    it(`${topology}: members present throughout get every call exactly once and in order`, async () => {
      const { net, sessions, games } = await setup(3, { topology, latency: 15 });
      const stable = sessions.slice(0, 3);
      const extra: Session[] = [];
      const extraGames: Game[] = [];
      let sent = 0;
      for (let round = 0; round < 40; round++) {
        // Every stable peer sends a numbered call to everyone each round.
        for (const [i, s] of stable.entries()) s.rpc(games[i]!).move(i, sent);
        sent++;
        if (round % 8 === 2) {
          const game = new Game();
          extraGames.push(game);
          extra.push(
            await joinSession(net, stable.concat(extra.filter((e) => e.connected)), {
              topology,
              heartbeatIntervalMs: 200,
              heartbeatTimeoutMs: 1000,
              setup: (s) => void s.register('game', game),
            }),
          );
        }
        if (round % 8 === 6) await extra.find((e) => e.connected)?.close();
        await net.run(20);
      }
      await net.run(300);
      for (const [j, game] of games.entries()) {
        for (const i of [0, 1, 2]) {
          if (i === j) continue;
          const fromI = game
            .of('move')
            .filter((c) => c.args[0] === i)
            .map((c) => c.args[1]);
          expect(fromI).toEqual(Array.from({ length: sent }, (_, k) => k));
        }
      }
      // Newcomers got a suffix of each stream, in order, without duplicates.
      for (const game of extraGames) {
        for (const i of [0, 1, 2]) {
          const got = game
            .of('move')
            .filter((c) => c.args[0] === i)
            .map((c) => c.args[1] as number);
          expect(got).toEqual([...new Set(got)].sort((a, b) => a - b));
        }
      }
      expect(stable.every((s) => s.connected)).toBe(true);
    });
  }
});
