import type { ArenaGame } from '../game/arena-game.js';

const LEFT = new Set(['ArrowLeft', 'KeyA']);
const RIGHT = new Set(['ArrowRight', 'KeyD']);
const UP = new Set(['ArrowUp', 'KeyW']);
const DOWN = new Set(['ArrowDown', 'KeyS']);

/**
 * Keyboard and mouse input: held WASD/arrow keys become the game's movement input; a click shoots
 * toward the pointer, space shoots the way the player last moved.
 */
export class Controls {
  readonly #held = new Set<string>();
  #facing = 0;
  readonly #abort = new AbortController();

  constructor(
    private readonly game: ArenaGame,
    canvas: HTMLCanvasElement,
    private readonly scale: number,
  ) {
    const signal = this.#abort.signal;
    window.addEventListener('keydown', (e) => this.#key(e, true), { signal });
    window.addEventListener('keyup', (e) => this.#key(e, false), { signal });
    window.addEventListener('blur', () => this.#release(), { signal });
    canvas.addEventListener(
      'pointerdown',
      (e) => {
        const me = game.me;
        if (!me) return;
        const rect = canvas.getBoundingClientRect();
        const x = (e.clientX - rect.left) / this.scale;
        const y = (e.clientY - rect.top) / this.scale;
        this.#shoot(Math.atan2(y - me.y, x - me.x));
      },
      { signal },
    );
  }

  /** Stops listening. */
  dispose(): void {
    this.#abort.abort();
  }

  #key(event: KeyboardEvent, down: boolean): void {
    if (event.target instanceof HTMLInputElement) return;
    if (event.code === 'Space') {
      if (down && !event.repeat) this.#shoot(this.#facing);
      event.preventDefault();
      return;
    }
    if (down) this.#held.add(event.code);
    else this.#held.delete(event.code);
    this.#update();
  }

  #release(): void {
    this.#held.clear();
    this.#update();
  }

  #update(): void {
    const has = (keys: Set<string>) => [...keys].some((k) => this.#held.has(k));
    const dx = (has(RIGHT) ? 1 : 0) - (has(LEFT) ? 1 : 0);
    const dy = (has(DOWN) ? 1 : 0) - (has(UP) ? 1 : 0);
    if (dx !== 0 || dy !== 0) this.#facing = Math.atan2(dy, dx);
    this.game.input = { dx, dy };
  }

  #shoot(angle: number): void {
    // Refusals (rate limit) and timeouts are counted by the game and shown in the overlay.
    this.game.shoot(angle).catch(() => undefined);
  }
}
