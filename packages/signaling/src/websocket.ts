/**
 * `@meshplay/signaling/websocket`: the browser-safe client of the WebSocket signaling server.
 * In browsers (and Node 22+) it uses the global `WebSocket`; in Node 20 pass `ws`'s class:
 *
 * ```ts
 * import { WebSocket } from 'ws';
 * const signaling = new WebSocketSignaling({ url: 'ws://127.0.0.1:9080', WebSocket });
 * ```
 */
import { type JoinOptions, type SignalingAdapter, SignalingError } from './contract.js';
import { type JoinMessage, type LobbyInfo, PROTOCOL_VERSION } from './protocol.js';
import { Link, type WebSocketConstructor } from './websocket-link.js';
import { type ReconnectOptions, type RoomConfig, WebSocketRoom } from './websocket-room.js';

export { ANSWER_CODES, CLOSE_CODES, type LobbyInfo, PROTOCOL_VERSION } from './protocol.js';
export type { WebSocketConstructor, WebSocketLike } from './websocket-link.js';
export type { ReconnectOptions } from './websocket-room.js';
export { WebSocketRoom } from './websocket-room.js';

/** Options of {@link WebSocketSignaling}. */
export interface WebSocketSignalingOptions {
  /** The server's URL, or several nodes' URLs (joins use the first; reconnects go round them). */
  url: string | readonly string[];
  /** The WebSocket class. Default `globalThis.WebSocket`; in Node 20 pass `WebSocket` from `ws`. */
  WebSocket?: WebSocketConstructor;
  /** Deadline for connecting and for each answer (ms). Default 10 000. */
  timeoutMs?: number;
  /** Reconnection policy, or false to give up on the first drop. */
  reconnect?: ReconnectOptions | false;
}

/**
 * A {@link SignalingAdapter} over the meshplay WebSocket signaling server (PROTOCOL.md). Each
 * joined room holds its own socket.
 */
export class WebSocketSignaling implements SignalingAdapter {
  readonly #urls: readonly string[];
  readonly #WebSocket: WebSocketConstructor;
  readonly #timeoutMs: number;
  readonly #reconnect: Required<ReconnectOptions> | false;

  constructor(options: WebSocketSignalingOptions) {
    this.#urls = typeof options.url === 'string' ? [options.url] : [...options.url];
    if (this.#urls.length === 0) throw new SignalingError('E_CONFIG', 'give at least one server URL');
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Socket) {
      throw new SignalingError(
        'E_CONFIG',
        'no global WebSocket here: pass one (in Node 20, `WebSocket` from ws)',
      );
    }
    this.#WebSocket = Socket;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#reconnect =
      options.reconnect === false
        ? false
        : { baseMs: 250, maxMs: 5000, maxAttempts: 20, ...(options.reconnect ?? {}) };
  }

  /** Joins (or, unless `create: false`, creates) the lobby named `room`. */
  join(room: string, options: JoinOptions = {}): Promise<WebSocketRoom> {
    return this.#enter({ room, ...lobbyOptions(options) }, options.token);
  }

  /** Joins an existing lobby by its short join code (case-insensitive). */
  joinByCode(code: string, options: Pick<JoinOptions, 'password' | 'token'> = {}): Promise<WebSocketRoom> {
    const { password, token } = options;
    return this.#enter({ code, ...(password === undefined ? {} : { password }) }, token);
  }

  /** The server's public lobbies. */
  async listLobbies(): Promise<LobbyInfo[]> {
    const link = await Link.open(this.#WebSocket, this.#urls[0] as string, this.#timeoutMs);
    try {
      const answer = await link.request({ type: 'list' }, this.#timeoutMs);
      return answer.type === 'lobbies' ? answer.lobbies : [];
    } finally {
      link.close(1000, 'done');
    }
  }

  async #enter(fields: Omit<JoinMessage, 'type' | 'v'>, token: string | undefined): Promise<WebSocketRoom> {
    const link = await Link.open(this.#WebSocket, this.#urls[0] as string, this.#timeoutMs);
    const message: JoinMessage = { type: 'join', v: PROTOCOL_VERSION, ...fields };
    if (token !== undefined) message.token = token;
    try {
      const answer = await link.request(message, this.#timeoutMs);
      if (answer.type !== 'joined')
        throw new SignalingError('E_BAD_MESSAGE', `unexpected answer ${answer.type}`);
      const config: RoomConfig = {
        urls: this.#urls,
        WebSocket: this.#WebSocket,
        timeoutMs: this.#timeoutMs,
        reconnect: this.#reconnect,
        token,
      };
      return new WebSocketRoom(config, link, answer);
    } catch (error) {
      link.close(1000, 'join failed');
      throw error;
    }
  }
}

function lobbyOptions(options: JoinOptions): Omit<JoinMessage, 'type' | 'v' | 'room'> {
  const fields: Omit<JoinMessage, 'type' | 'v' | 'room'> = {};
  if (options.create !== undefined) fields.create = options.create;
  if (options.password !== undefined) fields.password = options.password;
  if (options.maxPeers !== undefined && Number.isFinite(options.maxPeers)) fields.maxPeers = options.maxPeers;
  if (options.public !== undefined) fields.public = options.public;
  return fields;
}
