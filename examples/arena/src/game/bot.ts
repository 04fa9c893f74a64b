import type { ArenaGame } from './arena-game.js';
import { ARENA, type MoveInput } from './rules.js';

/** How a {@link Bot} plays. */
export interface BotOptions {
  /** Mean time between shots, ms. Default 400. */
  shotEveryMs?: number;
  /** Seed of the bot's choices (bots with different seeds wander differently). Default 1. */
  seed?: number;
}

/**
 * A simple player: wanders toward random waypoints and shoots at the nearest other player, aiming
 * where it sees it drawn. Drives an {@link ArenaGame} from the game's own tick.
 */
export class Bot {
  #target = { x: ARENA.width / 2, y: ARENA.height / 2 };
  #nextShotAt = 0;
  #random: () => number;
  readonly #shotEveryMs: number;
  readonly #off: () => void;
  #stopped = false;

  constructor(
    readonly game: ArenaGame,
    options: BotOptions = {},
  ) {
    this.#shotEveryMs = options.shotEveryMs ?? 400;
    this.#random = mulberry32(options.seed ?? 1);
    const onTick = () => this.#tick();
    game.events.on('tick', onTick);
    this.#off = () => game.events.off('tick', onTick);
  }

  /** Stops steering and shooting (the player stands still). */
  stop(): void {
    this.#stopped = true;
    this.#off();
    this.game.input = { dx: 0, dy: 0 };
  }

  #tick(): void {
    const me = this.game.me;
    if (this.#stopped || !me?.isSpawned) return;
    const dx = this.#target.x - me.x;
    const dy = this.#target.y - me.y;
    if (Math.hypot(dx, dy) < 1) {
      this.#target = {
        x: 1 + this.#random() * (ARENA.width - 2),
        y: 1 + this.#random() * (ARENA.height - 2),
      };
    }
    const input: MoveInput = {
      dx: Math.abs(dx) > 0.3 ? Math.sign(dx) : 0,
      dy: Math.abs(dy) > 0.3 ? Math.sign(dy) : 0,
    };
    this.game.input = input;
    const now = performance.now();
    if (now < this.#nextShotAt) return;
    this.#nextShotAt = now + this.#shotEveryMs * (0.5 + this.#random());
    this.game.replication.render();
    const target = this.#nearest(me.x, me.y);
    if (!target) return;
    const angle = Math.atan2(target.y - me.y, target.x - me.x);
    // Failures are counted by the game; a bot just keeps playing.
    this.game.shoot(angle).catch(() => undefined);
  }

  #nearest(x: number, y: number): { x: number; y: number } | undefined {
    let best: { x: number; y: number } | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const player of this.game.players()) {
      if (player === this.game.me) continue;
      const at = this.game.position(player);
      const distance = Math.hypot(at.x - x, at.y - y);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = at;
      }
    }
    return best;
  }
}

/** A tiny seeded PRNG (mulberry32), enough for wandering. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
