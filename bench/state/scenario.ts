// The scenario both libraries replicate (see state.bench.ts): its sizes and clock, the seeded world
// that moves the entities, and the CPU clock both sides are timed with.
import { Rng } from '../../packages/core/src/sim/rng.ts';

export const ENTITIES = 500;
export const TICKS = 300;
export const TICK_MS = 1000 / 30;
const DT = 1 / 30;
export const SEED = 42;
export const ONE_WAY_MS = 50;

/**
 * This process's CPU time, ms (user + system, microsecond resolution). Timing by CPU time rather
 * than by the wall clock keeps other processes' turns on a busy machine out of both sides' figures.
 */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

export type Motion = 'wander' | 'movey' | 'sparse';

/** The scenario's ground truth: positions, velocities, headings, and which entities moved. */
export class World {
  readonly x = new Float64Array(ENTITIES);
  readonly y = new Float64Array(ENTITIES);
  readonly vx = new Float64Array(ENTITIES);
  readonly vy = new Float64Array(ENTITIES);
  readonly angle = new Float64Array(ENTITIES);
  readonly moved = new Uint8Array(ENTITIES);
  readonly rng = new Rng(SEED);

  constructor() {
    for (let i = 0; i < ENTITIES; i++) {
      this.x[i] = this.rng.next() * 1000;
      this.y[i] = this.rng.next() * 1000;
      const heading = this.rng.next() * Math.PI * 2;
      const speed = this.rng.next() * 3;
      this.vx[i] = Math.cos(heading) * speed;
      this.vy[i] = Math.sin(heading) * speed;
      this.angle[i] = Math.atan2(this.vy[i]!, this.vx[i]!);
    }
  }

  step(motion: Motion): number {
    this.moved.fill(0);
    let count = 0;
    for (let i = 0; i < ENTITIES; i++) {
      if (motion === 'movey') {
        this.y[i]! += 0.05;
      } else {
        if (motion === 'sparse' && this.rng.next() >= 0.1) continue;
        this.wander(i);
      }
      this.moved[i] = 1;
      count++;
    }
    return count;
  }

  private wander(i: number): void {
    let vx = this.vx[i]! + (this.rng.next() - 0.5) * 0.5;
    let vy = this.vy[i]! + (this.rng.next() - 0.5) * 0.5;
    const speed = Math.hypot(vx, vy);
    if (speed > 5) {
      vx *= 5 / speed;
      vy *= 5 / speed;
    }
    let x = this.x[i]! + vx * DT;
    let y = this.y[i]! + vy * DT;
    if (x < 0 || x >= 1000) {
      vx = -vx;
      x = Math.min(999.999, Math.max(0, x));
    }
    if (y < 0 || y >= 1000) {
      vy = -vy;
      y = Math.min(999.999, Math.max(0, y));
    }
    this.x[i] = x;
    this.y[i] = y;
    this.vx[i] = vx;
    this.vy[i] = vy;
    this.angle[i] = Math.atan2(vy, vx);
  }
}
