type Immediate = (fn: () => void) => unknown;

/**
 * Resolves after one macrotask, so every pending promise chain (however deep) has run: the
 * microtask queue always drains before the next macrotask. Uses `setImmediate` where the host has
 * it, else a `MessageChannel` (browsers), else a zero timer; it is feature detection, not a
 * Node import, so core stays browser-safe.
 */
export function nextMacrotask(): Promise<void> {
  yieldOnce ??= pickYield();
  return yieldOnce();
}

// Picked on first use, so importing the module creates no MessageChannel.
let yieldOnce: (() => Promise<void>) | undefined;

function pickYield(): () => Promise<void> {
  const immediate = (globalThis as { setImmediate?: Immediate }).setImmediate;
  if (typeof immediate === 'function') {
    return () => new Promise<void>((resolve) => immediate(resolve));
  }
  if (typeof MessageChannel === 'function') {
    const channel = new MessageChannel();
    const waiting: (() => void)[] = [];
    channel.port1.onmessage = () => waiting.shift()?.();
    return () =>
      new Promise<void>((resolve) => {
        waiting.push(resolve);
        channel.port2.postMessage(null);
      });
  }
  return () => new Promise<void>((resolve) => globalThis.setTimeout(resolve, 0));
}

/** Resolves after `ms` of real time. */
export function sleep(ms: number): Promise<void> {
  return new Promise<void>((resolve) => globalThis.setTimeout(resolve, ms));
}
