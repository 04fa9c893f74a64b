import { describe, expect, it } from 'vitest';
import { runDemo } from '../src/node/run-demo.js';

describe('the demo, in this process over real WebRTC', () => {
  it.each(['host', 'mesh'] as const)(
    '%s topology: 3 peers move, every shot is answered, scores replicate',
    async (topology) => {
      const statuses: number[] = [];
      const summary = await runDemo({
        peers: 3,
        topology,
        durationS: 3,
        onStatus: (status) => statuses.push(status.peers),
      });
      expect(summary.topology).toBe(topology);
      expect(summary.players.map((p) => p.name)).toEqual(['host', 'bot-1', 'bot-2']);
      expect(statuses.length).toBeGreaterThanOrEqual(2);
      expect(statuses.at(-1)).toBe(3);
      // Three players and the scoreboard.
      expect(summary.objects).toBe(4);
      // 30 ticks a second for about 3 s.
      expect(summary.ticks).toBeGreaterThan(60);
      for (const player of summary.players) {
        // Speed 8 units/s for ~3 s: the bots never stand still for long.
        expect(player.moved, player.name).toBeGreaterThan(5);
        // Every other peer drew it moving (interpolated), about as far as it went.
        expect(player.seenMoving, player.name).toBeGreaterThan(player.moved * 0.5);
        expect(player.fired, player.name).toBeGreaterThanOrEqual(2);
        expect(player.failed, player.name).toBe(0);
        expect(player.answered, player.name).toBe(player.fired);
        // The host's scoreboard counts exactly the hits the host answered to this shooter.
        expect(player.score, player.name).toBe(player.hits);
        expect(player.scoreReplicated, player.name).toBe(true);
        expect(player.sentKB, player.name).toBeGreaterThan(0);
      }
      expect(summary.scoresReplicated).toBe(true);
      expect(summary.players.some((p) => p.hits > 0)).toBe(true);
      expect(summary.hostSentKBps).toBeGreaterThan(0.5);
      expect(summary.interpolatedShare).toBeGreaterThan(0.5);
    },
    60_000,
  );
});
