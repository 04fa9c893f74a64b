import { ConfigError } from '../errors.js';
import { realScheduler, type Scheduler, type TimerHandle } from '../scheduler.js';

/** How a {@link TickLoop} runs. */
export interface TickLoopOptions {
  /** Ticks per second (e.g. 30 or 60). */
  rate: number;
  /** Clock and timers (SimNetwork's virtual scheduler in tests). Default: the wall clock. */
  scheduler?: Scheduler;
  /**
   * The timeline the ticks follow, in ms: tick n runs once it reaches n / rate s. Default: time
   * since `start()`. A client passes its estimate of the host's timeline so its ticks line up.
   */
  timeline?: () => number;
  /** Most ticks run back to back to catch up; time beyond that is dropped. Default 5. */
  maxCatchUp?: number;
  /** Game logic for one fixed step. */
  onTick?: (tick: number, dt: number) => void;
}

/** The phases of one tick, for the layers that wrap game logic (inbox before, sending after). */
export interface TickPhases {
  /** At the tick boundary, before game logic: apply what arrived. */
  before?(tick: number, dt: number): void;
  /** After game logic: send. */
  after?(tick: number, dt: number): void;
}

/**
 * A fixed-step loop: an accumulator on a timeline (the real clock, SimNetwork's virtual one, or a
 * client's estimate of the host's) runs `before → onTick → after` once per step, catching up at
 * most `maxCatchUp` steps at a time. A game with its own loop calls {@link advance} instead of
 * {@link start}.
 */
export class TickLoop {
  readonly rate: number;
  /** Step length in seconds. */
  readonly dt: number;
  /** Step length in ms. */
  readonly stepMs: number;
  /** The last tick run (-1 before the first). */
  tick = -1;
  /** Ticks skipped because the loop fell more than `maxCatchUp` behind. */
  dropped = 0;
  readonly #scheduler: Scheduler;
  readonly #maxCatchUp: number;
  readonly #phases: TickPhases[] = [];
  #timeline: () => number;
  #onTick: ((tick: number, dt: number) => void) | undefined;
  #timer: TimerHandle | undefined;
  #origin = 0;
  #running = false;

  constructor(options: TickLoopOptions) {
    if (!(options.rate > 0 && options.rate <= 1000))
      throw new ConfigError('TickLoop rate must be in (0, 1000] Hz');
    this.rate = options.rate;
    this.dt = 1 / options.rate;
    this.stepMs = 1000 / options.rate;
    this.#scheduler = options.scheduler ?? realScheduler;
    this.#maxCatchUp = options.maxCatchUp ?? 5;
    this.#onTick = options.onTick;
    this.#timeline = options.timeline ?? (() => this.#scheduler.now() - this.#origin);
  }

  /** Sets the game logic. */
  set onTick(fn: ((tick: number, dt: number) => void) | undefined) {
    this.#onTick = fn;
  }

  /** Adds phases around game logic (the replication and session use this). */
  wrap(phases: TickPhases): () => void {
    this.#phases.push(phases);
    return () => {
      const i = this.#phases.indexOf(phases);
      if (i >= 0) this.#phases.splice(i, 1);
    };
  }

  /** Follows another timeline from now on (a client switching to its host-clock estimate). */
  follow(timeline: () => number): void {
    this.#timeline = timeline;
  }

  /** The current position on the timeline, in ticks (fractional). */
  get now(): number {
    return this.#timeline() / this.stepMs;
  }

  /** Runs the loop on the scheduler until {@link stop}. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#origin = this.#scheduler.now();
    this.#wake();
  }

  /** Stops the loop (a tick in progress finishes). */
  stop(): void {
    this.#running = false;
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Runs every step that is due on the timeline (at most `maxCatchUp`); returns how many ran.
   * For games that drive their own loop.
   */
  advance(): number {
    const due = Math.floor(this.#timeline() / this.stepMs);
    let behind = due - this.tick;
    if (behind <= 0) return 0;
    if (behind > this.#maxCatchUp) {
      this.dropped += behind - this.#maxCatchUp;
      this.tick = due - this.#maxCatchUp;
      behind = this.#maxCatchUp;
    }
    for (let i = 0; i < behind; i++) this.step();
    return behind;
  }

  /** Runs exactly one step now, whatever the timeline says. */
  step(): void {
    const tick = ++this.tick;
    const dt = this.dt;
    for (const phase of this.#phases) phase.before?.(tick, dt);
    this.#onTick?.(tick, dt);
    for (const phase of this.#phases) phase.after?.(tick, dt);
  }

  #wake = (): void => {
    this.#timer = undefined;
    if (!this.#running) return;
    this.advance();
    if (!this.#running) return;
    const next = (this.tick + 1) * this.stepMs - this.#timeline();
    this.#timer = this.#scheduler.setTimeout(this.#wake, Math.max(1, Math.min(next, this.stepMs)));
  };
}
