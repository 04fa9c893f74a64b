import type { Scheduler, TimerHandle } from '../scheduler.js';
import { type ClockTask, TaskHeap } from './task-heap.js';

/** Options of {@link VirtualClock}. */
export interface VirtualClockOptions {
  /** Follow `performance.now()` and fire timers on real timers instead of when told to. */
  realtime?: boolean;
  /** Receives what a task throws; the clock itself carries on. Default: rethrow later, unhandled. */
  onError?: (error: unknown) => void;
}

class Timer implements ClockTask {
  at = 0;
  order = 0;
  cancelled = false;
  fired = false;
  constructor(readonly fn: () => void) {}
  fire(): void {
    this.fired = true;
    this.fn();
  }
}

const isLive = (task: ClockTask) => !task.cancelled;

/** A single timestamp firing more tasks than this is a timer loop that would never let time pass. */
const MAX_TASKS_PER_INSTANT = 5_000_000;

/**
 * A {@link Scheduler} on virtual time: timers sit in a heap ordered by (time, insertion order) and
 * fire only when the owner advances the clock, so a test decides when time passes and every run is
 * identical. In real-time mode the same heap is drained by one real timer armed for its earliest
 * entry, and `now()` follows `performance.now()` (starting at 0).
 */
export class VirtualClock implements Scheduler {
  /** True in real-time mode. */
  readonly realtime: boolean;
  readonly #heap = new TaskHeap();
  readonly #onError: (error: unknown) => void;
  #time = 0;
  #order = 0;
  /** Cancelled timers still in the heap: a code that re-arms a long timeout per packet leaves many. */
  #cancelled = 0;
  #origin = 0;
  #stopped = false;
  #timersFired = 0;
  #armed: ReturnType<typeof globalThis.setTimeout> | undefined;
  #armedAt = Number.POSITIVE_INFINITY;

  constructor(options: VirtualClockOptions = {}) {
    this.realtime = options.realtime ?? false;
    this.#onError =
      options.onError ??
      ((error) => {
        queueMicrotask(() => {
          throw error;
        });
      });
    if (this.realtime) this.#origin = performance.now();
  }

  /** Milliseconds since the clock was made. */
  now(): number {
    return this.realtime ? performance.now() - this.#origin : this.#time;
  }

  /** Runs `fn` once `ms` milliseconds of clock time have passed (negative or NaN means 0). */
  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = new Timer(fn);
    // NaN and negative delays mean "as soon as possible", as with the global setTimeout.
    this.schedule(timer, this.now() + (Number.isNaN(ms) ? 0 : Math.max(ms, 0)));
    return timer;
  }

  /** Cancels a timer made by this clock; anything else (or a fired timer) is ignored. */
  clearTimeout(handle: TimerHandle): void {
    if (!(handle instanceof Timer) || handle.cancelled || handle.fired) return;
    handle.cancelled = true;
    if (++this.#cancelled > 4096 && this.#cancelled * 2 > this.#heap.size) {
      this.#heap.compact(isLive);
      this.#cancelled = 0;
    }
  }

  /** Queues `task` to fire at clock time `at` (not before now). A stopped clock ignores it. */
  schedule(task: ClockTask, at: number): void {
    if (this.#stopped) return;
    const now = this.now();
    task.at = Math.max(at, now);
    task.order = this.#order++;
    this.#heap.push(task);
    if (this.realtime && task.at < this.#armedAt) this.#arm();
  }

  /** Time of the earliest live task, or undefined when nothing is pending. */
  nextTime(): number | undefined {
    const heap = this.#heap;
    for (;;) {
      const top = heap.peek();
      if (top === undefined) return undefined;
      if (!top.cancelled) return top.at;
      heap.pop();
    }
  }

  /**
   * Fires, in order, every live task due at or before `until` (tasks they schedule included),
   * moving virtual time to each task's time. Returns how many fired.
   */
  fireUntil(until: number): number {
    const heap = this.#heap;
    let fired = 0;
    for (;;) {
      const top = heap.peek();
      if (top === undefined || top.at > until) break;
      heap.pop();
      if (top.cancelled) continue;
      if (!this.realtime && top.at > this.#time) this.#time = top.at;
      if (top instanceof Timer) this.#timersFired++;
      if (++fired > MAX_TASKS_PER_INSTANT) {
        this.#onError(new Error(`VirtualClock: more than ${MAX_TASKS_PER_INSTANT} tasks at t=${until} ms`));
        break;
      }
      try {
        top.fire();
      } catch (error) {
        this.#onError(error);
      }
    }
    return fired;
  }

  /** Moves virtual time forward to `time` without firing anything (no-op in real-time mode). */
  advanceTo(time: number): void {
    if (!this.realtime && time > this.#time) this.#time = time;
  }

  /** Drops every pending task and real timer; later `schedule`/`setTimeout` calls do nothing. */
  stop(): void {
    this.#stopped = true;
    this.#heap.clear();
    this.#cancelled = 0;
    this.#disarm();
  }

  /**
   * Real-time mode: re-arms the real timer for the earliest live task, so a timer armed for work
   * that has since died (a closed link's packets) does not keep the process alive.
   */
  refresh(): void {
    if (this.realtime && !this.#stopped) this.#arm();
  }

  /** How many `setTimeout` callbacks have run (packets and other internal tasks not counted). */
  get timersFired(): number {
    return this.#timersFired;
  }

  /** True once {@link stop} ran. */
  get stopped(): boolean {
    return this.#stopped;
  }

  #arm(): void {
    this.#disarm();
    const at = this.nextTime();
    if (at === undefined) return;
    this.#armedAt = at;
    this.#armed = globalThis.setTimeout(
      () => {
        this.#armed = undefined;
        this.#armedAt = Number.POSITIVE_INFINITY;
        this.fireUntil(this.now());
        if (!this.#stopped) this.#arm();
      },
      Math.max(0, at - this.now()),
    );
  }

  #disarm(): void {
    if (this.#armed !== undefined) globalThis.clearTimeout(this.#armed);
    this.#armed = undefined;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }
}
