import type { SignalingEvents, SignalingRoom } from '../src/index.js';

type EventName = keyof SignalingEvents;

/** Resolves with the next `type` event of `room` that passes `filter`, or rejects after `timeoutMs`. */
export function next<K extends EventName>(
  room: SignalingRoom,
  type: K,
  filter: (event: SignalingEvents[K]) => boolean = () => true,
  timeoutMs = 5000,
): Promise<SignalingEvents[K]> {
  return new Promise((resolve, reject) => {
    const handler = (event: SignalingEvents[K]) => {
      if (!filter(event)) return;
      clearTimeout(timer);
      room.events.off(type, handler);
      resolve(event);
    };
    const timer = setTimeout(() => {
      room.events.off(type, handler);
      reject(new Error(`no ${type} event on ${room.selfId} within ${timeoutMs} ms`));
    }, timeoutMs);
    room.events.on(type, handler);
  });
}

/** The next payload `room` receives from `from`. */
export async function nextSignal(room: SignalingRoom, from?: string, timeoutMs = 5000): Promise<unknown> {
  const event = await next(room, 'signal', (e) => from === undefined || e.from === from, timeoutMs);
  return event.payload;
}

/** Every event a room emits, in order, as `[type, event]` pairs. */
export function record(room: SignalingRoom): [EventName, unknown][] {
  const log: [EventName, unknown][] = [];
  const types: EventName[] = [
    'peer-joined',
    'peer-left',
    'signal',
    'host-changed',
    'sealed',
    'reconnecting',
    'reconnected',
    'closed',
    'error',
  ];
  for (const type of types) room.events.on(type, (event) => log.push([type, event]));
  return log;
}

/** Waits until `check` holds (polling), or throws after `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A unique name per test run, so suites sharing a server or Redis never meet. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/** `promise`, or a rejection naming `what` after `timeoutMs`. */
export function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
