import { SimulationError } from './errors.js';
import { nextMacrotask, sleep } from './settle.js';
import type { VirtualClock } from './virtual-clock.js';

/**
 * How a simulated network's time moves on: the virtual clock is stepped one instant at a time (or
 * the wall clock is waited on in real-time mode), promise chains settle between instants, and what
 * event handlers and timers threw is collected and surfaced to whoever is running the clock.
 */
export class RunLoop {
  /** Everything event handlers and timers threw so far, oldest first. */
  readonly errors: unknown[] = [];
  /** Event handlers called so far: an instant that called none cannot have left promises pending. */
  handlerCalls = 0;
  readonly #clock: VirtualClock;
  readonly #realtime: boolean;
  #surfaced = 0;
  #running = false;

  constructor(clock: VirtualClock, realtime: boolean) {
    this.#clock = clock;
    this.#realtime = realtime;
  }

  /** Records what a handler or timer threw; the running {@link run} or {@link runUntil} rejects with it. */
  report(error: unknown): void {
    this.errors.push(error);
  }

  /** Advances the clock by `ms` (see `SimNetwork.run`). */
  async run(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new SimulationError('E_INVALID_CONFIG', `run(ms) needs ms >= 0, got ${ms}`);
    if (this.#realtime) {
      await sleep(ms);
      this.#surface();
      return;
    }
    await this.#advance(this.#clock.now() + ms, undefined);
  }

  /** Steps the clock until `predicate()` holds or `maxMs` pass (see `SimNetwork.runUntil`). */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<number> {
    const start = this.#clock.now();
    const end = start + maxMs;
    let met: boolean;
    if (this.#realtime) {
      while (!(met = predicate()) && this.#clock.now() < end) {
        await sleep(Math.min(1, end - this.#clock.now()));
        this.#surface();
      }
    } else {
      met = await this.#advance(end, predicate);
    }
    if (!met) {
      const source = String(predicate).replace(/\s+/g, ' ').slice(0, 160);
      throw new SimulationError(
        'E_TIMEOUT',
        `runUntil: condition still false after ${maxMs} ms (t=${this.#clock.now()} ms): ${source}`,
      );
    }
    return this.#clock.now() - start;
  }

  async #advance(end: number, predicate: (() => boolean) | undefined): Promise<boolean> {
    if (this.#running)
      throw new SimulationError('E_INVALID_CONFIG', 'run()/runUntil() is already in progress');
    this.#running = true;
    try {
      const clock = this.#clock;
      await nextMacrotask();
      this.#surface();
      if (predicate?.()) return true;
      for (;;) {
        const next = clock.nextTime();
        if (next === undefined || next > end) break;
        const before = this.handlerCalls + clock.timersFired;
        clock.fireUntil(next);
        // Only application code starts promise chains: skip the (costly) macrotask otherwise.
        if (this.handlerCalls + clock.timersFired !== before) await nextMacrotask();
        this.#surface();
        if (predicate?.()) return true;
      }
      clock.advanceTo(end);
      return false;
    } finally {
      this.#running = false;
    }
  }

  #surface(): void {
    if (this.#surfaced < this.errors.length) {
      const error = this.errors[this.#surfaced];
      this.#surfaced = this.errors.length;
      throw error;
    }
  }
}
