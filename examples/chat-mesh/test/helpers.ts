import type { ChatClient, ChatEvents } from '../src/chat-client.js';

/** Polls `predicate` until true; rejects naming `what` (a function: described when it fails) after `timeoutMs`. */
export async function waitFor(
  predicate: () => boolean,
  timeoutMs: number,
  what: string | (() => string),
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Everything a client reported, by event, in order. */
export type Log = { [K in keyof ChatEvents]: ChatEvents[K][] };

/** Starts recording `client`'s events. */
export function record(client: ChatClient): Log {
  const log: Log = {
    message: [],
    joined: [],
    left: [],
    'host-changed': [],
    sealed: [],
    closed: [],
    error: [],
  };
  for (const type of Object.keys(log) as (keyof ChatEvents)[]) {
    client.events.on(type, (event) => (log[type] as unknown[]).push(event));
  }
  return log;
}
