import type { ArenaGame } from '../game/arena-game.js';
import type { ShotEvent } from '../game/arena-service.js';
import { ARENA } from '../game/rules.js';

/** How long a tracer stays on screen, ms. */
const TRACER_MS = 250;

/** Draws the arena on a canvas: players where the replication renders them, names, scores, shots. */
export class ArenaView {
  readonly #ctx: CanvasRenderingContext2D;
  readonly #tracers: { shot: ShotEvent; at: number }[] = [];

  constructor(
    private readonly game: ArenaGame,
    readonly canvas: HTMLCanvasElement,
    readonly scale: number,
  ) {
    canvas.width = ARENA.width * scale;
    canvas.height = ARENA.height * scale;
    this.#ctx = canvas.getContext('2d')!;
    game.events.on('shot', (shot) => this.#tracers.push({ shot, at: performance.now() }));
  }

  /** Draws one frame (call after `replication.render()`). */
  draw(now = performance.now()): void {
    const ctx = this.#ctx;
    const s = this.scale;
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.strokeStyle = '#2a2d35';
    ctx.lineWidth = 1;
    for (let x = 0; x <= ARENA.width; x += 4) line(ctx, x * s, 0, x * s, ARENA.height * s);
    for (let y = 0; y <= ARENA.height; y += 4) line(ctx, 0, y * s, ARENA.width * s, y * s);

    while (this.#tracers.length > 0 && now - this.#tracers[0]!.at > TRACER_MS) this.#tracers.shift();
    for (const { shot, at } of this.#tracers) {
      ctx.globalAlpha = 1 - (now - at) / TRACER_MS;
      ctx.strokeStyle = shot.hit ? '#ff5a5a' : '#ffe9a0';
      ctx.lineWidth = 2;
      const end = {
        x: shot.x + Math.cos(shot.angle) * shot.length,
        y: shot.y + Math.sin(shot.angle) * shot.length,
      };
      line(ctx, shot.x * s, shot.y * s, end.x * s, end.y * s);
    }
    ctx.globalAlpha = 1;

    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    for (const player of this.game.players()) {
      const at = this.game.position(player);
      ctx.fillStyle = `hsl(${player.hue} 70% 60%)`;
      ctx.beginPath();
      ctx.arc(at.x * s, at.y * s, 0.6 * s, 0, Math.PI * 2);
      ctx.fill();
      if (player === this.game.me) {
        ctx.strokeStyle = '#fff';
        ctx.lineWidth = 2;
        ctx.stroke();
      }
      ctx.fillStyle = '#ddd';
      ctx.fillText(`${player.name} · ${this.game.scoreOf(player)}`, at.x * s, at.y * s - 0.9 * s);
    }
  }
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number): void {
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.lineTo(x1, y1);
  ctx.stroke();
}
