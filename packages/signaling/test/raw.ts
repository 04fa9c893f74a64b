import { WebSocket } from 'ws';

/** A bare protocol client: raw frames in, parsed messages out, and how the socket ended. */
export interface RawClient {
  readonly socket: WebSocket;
  /** Every message received, parsed (or the raw text when it is not JSON). */
  readonly received: unknown[];
  /** Resolves with the close code and reason once the socket ends. */
  readonly closed: Promise<{ code: number; reason: string }>;
  send(message: unknown): void;
  sendText(text: string): void;
  /** The next message matching `match` (including ones already received but not yet taken). */
  next(
    match?: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/** Opens a raw WebSocket to `url`. */
export async function raw(url: string, options: { autoPong?: boolean } = {}): Promise<RawClient> {
  const socket = new WebSocket(url, options);
  const received: unknown[] = [];
  let taken = 0;
  const listeners = new Set<() => void>();
  socket.on('message', (data) => {
    const text = String(data);
    try {
      received.push(JSON.parse(text));
    } catch {
      received.push(text);
    }
    for (const listener of [...listeners]) listener();
  });
  socket.on('error', () => {});
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    received,
    closed,
    send: (message) => socket.send(JSON.stringify(message)),
    sendText: (text) => socket.send(text),
    next: (match = () => true, timeoutMs = 3000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          for (; taken < received.length; taken++) {
            const message = received[taken] as Record<string, unknown>;
            if (typeof message === 'object' && match(message)) {
              taken++;
              listeners.delete(check);
              clearTimeout(timer);
              resolve(message);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(
            new Error(
              `no matching message within ${timeoutMs} ms; got ${JSON.stringify(received).slice(0, 300)}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
  };
}
