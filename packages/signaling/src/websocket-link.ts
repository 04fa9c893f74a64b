/**
 * A thin, browser-safe wrapper over one WebSocket: opening with a deadline, parsed messages,
 * and request/answer matching by `rid`. Works with the DOM `WebSocket` and with `ws`'s class.
 */
import { SignalingError } from './contract.js';
import { type ClientMessage, closeCodeName, parseServerMessage, type ServerMessage } from './protocol.js';

/** The part of the WebSocket API the client uses (DOM `WebSocket` and `ws` both have it). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/**
 * A WebSocket class: `globalThis.WebSocket` in browsers (and Node 22+), or `WebSocket` from the
 * `ws` package in Node 20. Typed loosely so both fit; the client only uses {@link WebSocketLike}.
 */
export type WebSocketConstructor = abstract new (url: string) => object;

const OPEN = 1;

/** One socket's life: messages go to `onMessage`, the end to `onClose` (once). */
export class Link {
  readonly #socket: WebSocketLike;
  readonly #waiters = new Map<number, { resolve: (m: ServerMessage) => void; reject: (e: Error) => void }>();
  #nextRid = 1;
  #closed = false;
  #handler: ((message: ServerMessage) => void) | undefined;
  /** Messages that arrived before anyone listened (they may share a packet with an answer). */
  readonly #backlog: ServerMessage[] = [];
  /** Malformed frames from the server. */
  onBadFrame: (text: string) => void = () => {};
  /** The socket ended (not called after {@link abandon}). */
  onClose: (code: number, reason: string) => void = () => {};
  /** performance.now() of the last frame received. */
  lastHeard = performance.now();

  private constructor(socket: WebSocketLike) {
    this.#socket = socket;
    const on = socket as unknown as {
      onmessage: (event: { data: unknown }) => void;
      onclose: (event: { code: number; reason: string }) => void;
      onerror: () => void;
    };
    on.onmessage = (event) => {
      this.lastHeard = performance.now();
      const text = typeof event.data === 'string' ? event.data : '';
      const message = parseServerMessage(text);
      if (!message) return this.onBadFrame(text.slice(0, 200));
      const rid = 'rid' in message ? message.rid : undefined;
      const waiter = rid === undefined ? undefined : this.#waiters.get(rid);
      if (waiter) {
        this.#waiters.delete(rid as number);
        if (message.type === 'error') waiter.reject(new SignalingError(message.code, message.reason));
        else waiter.resolve(message);
        return;
      }
      if (this.#handler) this.#handler(message);
      else if (this.#backlog.length < 1024) this.#backlog.push(message);
    };
    on.onclose = (event) => this.#ended(event.code, event.reason);
    on.onerror = () => {};
  }

  /** Opens a socket to `url`; rejects with E_UNREACHABLE if it fails or takes longer than `timeoutMs`. */
  static open(Socket: WebSocketConstructor, url: string, timeoutMs: number): Promise<Link> {
    return new Promise((resolve, reject) => {
      let socket: WebSocketLike;
      try {
        socket = new (Socket as unknown as new (url: string) => WebSocketLike)(url);
      } catch (error) {
        reject(new SignalingError('E_UNREACHABLE', `cannot open ${url}: ${String(error)}`));
        return;
      }
      const on = socket as unknown as {
        onopen: (() => void) | null;
        onclose: (() => void) | null;
        onerror: () => void;
      };
      const timer = setTimeout(() => fail('timed out'), timeoutMs);
      const fail = (why: string) => {
        clearTimeout(timer);
        on.onopen = on.onclose = null;
        try {
          socket.close();
        } catch {
          // Closing a socket that never opened may throw in some implementations.
        }
        reject(new SignalingError('E_UNREACHABLE', `cannot reach ${url}: ${why}`));
      };
      on.onerror = () => {};
      on.onclose = () => fail('connection failed');
      on.onopen = () => {
        clearTimeout(timer);
        resolve(new Link(socket));
      };
    });
  }

  /**
   * Hands every message that is not an answer to `handler`, starting with any held back. The held
   * ones are replayed in a later task: the room that listens is still on its way to the caller of
   * `join()` (whose `await` resumes in a microtask), so events emitted now would reach no listener.
   * ws delivers several frames of one read synchronously, so an offer can share a read with the
   * join answer; until the replay, new messages keep joining the backlog, in order.
   */
  listen(handler: (message: ServerMessage) => void): void {
    setTimeout(() => {
      for (const message of this.#backlog.splice(0)) handler(message);
      this.#handler = handler;
    }, 0);
  }

  /** True while the socket is open. */
  get open(): boolean {
    return !this.#closed && this.#socket.readyState === OPEN;
  }

  /** Sends a message (dropped silently on a closed socket: the close is reported separately). */
  send(message: ClientMessage): void {
    if (this.open) this.#socket.send(JSON.stringify(message));
  }

  /**
   * Sends a request and resolves with its answer, rejecting with the server's refusal, the close
   * that ended the socket, or E_TIMEOUT.
   */
  request(message: ClientMessage & { rid?: number }, timeoutMs: number): Promise<ServerMessage> {
    const rid = this.#nextRid++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#waiters.delete(rid))
          reject(new SignalingError('E_TIMEOUT', `no answer to ${message.type}`));
      }, timeoutMs);
      this.#waiters.set(rid, {
        resolve: (answer) => {
          clearTimeout(timer);
          resolve(answer);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.send({ ...message, rid } as ClientMessage);
    });
  }

  /** Closes the socket (reported through `onClose`). */
  close(code = 1000, reason = ''): void {
    try {
      this.#socket.close(code, reason);
    } catch {
      this.#ended(code, reason);
    }
  }

  /** Forgets a socket thought dead: no more callbacks; pending requests fail. */
  abandon(): void {
    const on = this.#socket as unknown as { onmessage: null; onclose: null };
    on.onmessage = on.onclose = null;
    this.#fail(new SignalingError('E_CONNECTION_LOST', 'the connection was lost'));
    this.#closed = true;
    try {
      this.#socket.close();
    } catch {
      // Already closing.
    }
  }

  #ended(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#fail(new SignalingError(closeCodeName(code, reason), reason || `connection closed (${code})`));
    this.onClose(code, reason);
  }

  #fail(error: SignalingError): void {
    for (const waiter of this.#waiters.values()) waiter.reject(error);
    this.#waiters.clear();
  }
}
