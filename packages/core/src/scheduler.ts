/** A handle returned by {@link Scheduler.setTimeout}. */
export type TimerHandle = { readonly __timer: true } | number | object;

/**
 * Time and timers, injected so the same session code runs on the wall clock or on SimNetwork's
 * virtual clock (where a test decides when time passes).
 */
export interface Scheduler {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The wall clock: `performance.now()` and the global timers. */
export const realScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms) as unknown as TimerHandle,
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

/** Calls `fn` every `ms` on `scheduler` until the returned function is called. */
export function every(scheduler: Scheduler, ms: number, fn: () => void): () => void {
  let handle: TimerHandle | undefined;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    handle = scheduler.setTimeout(tick, ms);
    fn();
  };
  handle = scheduler.setTimeout(tick, ms);
  return () => {
    stopped = true;
    if (handle !== undefined) scheduler.clearTimeout(handle);
  };
}
