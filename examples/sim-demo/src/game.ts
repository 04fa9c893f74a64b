import { rpc, type Session } from '@meshplay/core';

/** One player as the host simulates it. */
export interface Player {
  x: number;
  y: number;
  score: number;
}

const ARENA = 100;
const SPEED = 20; // units per second

/**
 * A tiny authoritative arena: clients send their input, the host moves everyone, broadcasts
 * positions unreliably, and judges shots (a request whose answer says hit or miss).
 */
export class Arena {
  readonly players = new Map<string, Player>();
  /** Positions as this peer last heard them from the host. */
  readonly seen = new Map<string, { x: number; y: number }>();
  readonly #inputs = new Map<string, { dx: number; dy: number }>();
  statesReceived = 0;

  constructor(readonly session: Session) {}

  /** Client → host: my current movement direction (-1, 0 or 1 per axis). */
  @rpc({ mode: 'any', transfer: 'unreliable-ordered', rateLimit: 120 })
  input(dx: number, dy: number) {
    const from = this.session.remoteSender!;
    this.#inputs.set(from, { dx: Math.sign(dx), dy: Math.sign(dy) });
  }

  /** Host → everyone: positions of all players, as [id, x, y] triples. */
  @rpc({ mode: 'authority', transfer: 'unreliable' })
  state(positions: [string, number, number][]) {
    this.statesReceived++;
    for (const [id, x, y] of positions) this.seen.set(id, { x, y });
  }

  /** Client → host: shoot at a point; the host answers whether anybody was hit. */
  @rpc({ mode: 'any', rateLimit: 10 })
  shoot(x: number, y: number): { hit: string | null } {
    const shooter = this.session.remoteSender!;
    for (const [id, p] of this.players) {
      if (id !== shooter && Math.hypot(p.x - x, p.y - y) < 8) {
        const me = this.players.get(shooter);
        if (me) me.score++;
        return { hit: id };
      }
    }
    return { hit: null };
  }

  /** Host: adds a player at a spot picked by `random`. */
  join(id: string, random: () => number): void {
    this.players.set(id, { x: random() * ARENA, y: random() * ARENA, score: 0 });
  }

  /** Host: removes a player. */
  leave(id: string): void {
    this.players.delete(id);
    this.#inputs.delete(id);
  }

  /** Host: advances the world by `dt` seconds and broadcasts it. */
  step(dt: number): void {
    for (const [id, p] of this.players) {
      const input = this.#inputs.get(id);
      if (!input) continue;
      p.x = Math.min(ARENA, Math.max(0, p.x + input.dx * SPEED * dt));
      p.y = Math.min(ARENA, Math.max(0, p.y + input.dy * SPEED * dt));
    }
    const positions: [string, number, number][] = [...this.players].map(([id, p]) => [
      id,
      Math.round(p.x * 10) / 10,
      Math.round(p.y * 10) / 10,
    ]);
    // `this` is polymorphic inside a class: name the class so the call site is typed.
    this.session.rpc<Arena>(this).state(positions);
  }
}
