import type { ArenaGame } from '../game/arena-game.js';

/** Samples kept in the graph (one per refresh). */
const HISTORY = 60;

/**
 * The net-stats overlay: round trip, probe loss, kB/s each way with a small graph of both, objects,
 * dropped messages, the player's shots and the scoreboard.
 */
export class NetOverlay {
  readonly #sent: number[] = [];
  readonly #received: number[] = [];

  constructor(
    private readonly game: ArenaGame,
    private readonly text: HTMLElement,
    private readonly graph: HTMLCanvasElement,
    private readonly scores: HTMLElement,
  ) {}

  /** Samples the counters and redraws (a couple of times a second). */
  refresh(): void {
    const game = this.game;
    const s = game.stats.sample();
    push(this.#sent, s.sentKBps);
    push(this.#received, s.receivedKBps);
    const loss = s.loss === undefined ? '–' : `${(s.loss * 100).toFixed(0)}%`;
    this.text.textContent = [
      `rtt     ${s.rttMs === undefined ? '–' : s.rttMs.toFixed(1)} ms`,
      `loss    ${game.session.isHost ? 'host' : loss}`,
      `↑ ${s.sentKBps.toFixed(1)} kB/s  ↓ ${s.receivedKBps.toFixed(1)} kB/s`,
      `peers   ${game.session.peers().length + 1}  tick ${game.replication.loop.tick}`,
      `objects ${game.replication.objects().length}  dropped ${s.dropped}`,
      `shots   ${game.shots.fired} (${game.shots.hits} hits, ${game.shots.failed} failed)`,
    ].join('\n');
    this.scores.textContent = game
      .players()
      .map((p) => `${p.name.padEnd(12)} ${game.scoreOf(p)}`)
      .join('\n');
    this.#draw();
  }

  #draw(): void {
    const ctx = this.graph.getContext('2d');
    if (!ctx) return;
    const { width, height } = this.graph;
    ctx.clearRect(0, 0, width, height);
    const max = Math.max(1, ...this.#sent, ...this.#received);
    const plot = (values: number[], colour: string) => {
      ctx.strokeStyle = colour;
      ctx.beginPath();
      values.forEach((v, i) => {
        const x = (i / (HISTORY - 1)) * width;
        const y = height - (v / max) * (height - 2) - 1;
        if (i === 0) ctx.moveTo(x, y);
        else ctx.lineTo(x, y);
      });
      ctx.stroke();
    };
    plot(this.#sent, '#7fd1ff');
    plot(this.#received, '#b4ff8f');
    ctx.fillStyle = '#aaa';
    ctx.font = '10px ui-monospace, monospace';
    ctx.fillText(`${max.toFixed(1)} kB/s`, 2, 10);
  }
}

function push(values: number[], value: number): void {
  values.push(value);
  if (values.length > HISTORY) values.shift();
}
