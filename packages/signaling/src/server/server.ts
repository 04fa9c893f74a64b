import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { nanoid } from 'nanoid';
import { WebSocketServer } from 'ws';
import type { Authenticate } from './auth.js';
import { Connection, type ConnectionContext } from './connection.js';
import type { DirectoryEvent, LobbyDirectory } from './directory.js';
import { LocalDirectory } from './local-directory.js';
import { PeerTable } from './peers.js';
import type { RateLimit } from './rate-limit.js';
import { RedisDirectory, sharedSecret } from './redis-directory.js';
import { TokenSigner } from './tokens.js';

/** Options of {@link SignalingServer.start}; every limit has a default. */
export interface SignalingServerOptions {
  /** Port to listen on (0: any free port). Default 9080. Ignored with `server`. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Serve on an existing HTTP server instead of creating one. */
  server?: Server;
  /** Share lobbies with other nodes through Redis (a redis:// URL or an ioredis client). */
  redis?: string | Redis;
  /** Prefix of Redis keys and channels. Default `meshplay:signal:`. */
  redisPrefix?: string;
  /**
   * Secret that signs resume tokens and digests lobby passwords. Nodes that share lobbies, and a
   * server that should accept tokens issued before its restart, need the same secret. Default:
   * kept in Redis (shared by every node) or, without Redis, random per process.
   */
  secret?: string;
  /** Auth hook, asked on every join and resume. Default: everyone is admitted. */
  authenticate?: Authenticate;
  /** A connection must join (or resume) within this time. Default 10 s. */
  joinTimeoutMs?: number;
  /** Keep-alive period: server pings, client pings expected; a silent socket is cut after two. Default 15 s. */
  pingIntervalMs?: number;
  /** How long a dropped peer keeps its place (its resume window), and a dead node's peers linger. Default 20 s. */
  leaseMs?: number;
  /** How long a lobby rebuilt from resume tokens waits for the rest of its peers. Default `leaseMs`. */
  restoreMs?: number;
  /** Oldest resume token accepted. Default 1 h. */
  resumeTtlMs?: number;
  /** Largest frame accepted; a larger one closes with 1009. Default 64 KiB. */
  maxFrameBytes?: number;
  /** Per-connection message rate. Default 50/s with bursts of 200. */
  rateLimit?: RateLimit;
  /** Largest (and default) `maxPeers` of a lobby. Default 64. */
  maxPeersPerLobby?: number;
  /** Connections held at once; more are closed with E_SERVER_FULL. Default 10 000. */
  maxConnections?: number;
  /** Unsent bytes a socket may pile up before it is closed as a slow consumer. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** One call per event (listening, join, resume, leave, drop, expire, refuse, error, …). */
  log?: (event: ServerLogEvent) => void;
}

/** A server event for logs: a name plus flat fields. */
export interface ServerLogEvent {
  event: string;
  node: string;
  [field: string]: unknown;
}

/**
 * The WebSocket signaling server (PROTOCOL.md): server-assigned ids, lobbies with join codes,
 * passwords, seals and host handover, resume after drops and restarts, keep-alive, an auth
 * hook, rate and size limits, `/healthz` and `/lobbies` over HTTP on the same port, and
 * optional Redis scale-out across nodes.
 */
export class SignalingServer {
  /** This node's id (distinguishes nodes sharing Redis). */
  readonly node = nanoid(8);
  readonly #options: SignalingServerOptions;
  readonly #http: Server;
  readonly #ownsHttp: boolean;
  readonly #wss: WebSocketServer;
  readonly #directory: LobbyDirectory;
  readonly #peers: PeerTable;
  readonly #connections = new Set<Connection>();
  readonly #context: ConnectionContext;
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  #closing: Promise<void> | undefined;

  /** Starts a server and resolves once it listens (and Redis, if any, answers). */
  static async start(options: SignalingServerOptions = {}): Promise<SignalingServer> {
    const prefix = options.redisPrefix ?? 'meshplay:signal:';
    const fresh = randomBytes(32).toString('base64url');
    const secret =
      options.secret ?? (options.redis ? await sharedSecret(options.redis, prefix, fresh) : fresh);
    const server = new SignalingServer(options, prefix, secret);
    try {
      if (server.#directory instanceof RedisDirectory) await server.#directory.ready();
      await server.#listen();
    } catch (error) {
      await server.close();
      throw error;
    }
    return server;
  }

  private constructor(options: SignalingServerOptions, prefix: string, secret: string) {
    this.#options = options;
    const leaseMs = options.leaseMs ?? 20_000;
    const signer = new TokenSigner(secret);
    const log = (event: string, fields: Record<string, unknown>) => this.#log(event, fields);
    const context = {
      node: this.node,
      signer,
      leaseMs,
      restoreMs: options.restoreMs ?? leaseMs,
      onEvent: (event: DirectoryEvent) => this.#peers.onEvent(event),
    };
    this.#directory = options.redis
      ? new RedisDirectory(context, { redis: options.redis, prefix })
      : new LocalDirectory(context);
    this.#peers = new PeerTable(this.#directory, signer, this.node, log);
    this.#context = {
      directory: this.#directory,
      peers: this.#peers,
      signer,
      authenticate: options.authenticate,
      joinTimeoutMs: options.joinTimeoutMs ?? 10_000,
      pingIntervalMs: options.pingIntervalMs ?? 15_000,
      resumeTtlMs: options.resumeTtlMs ?? 3_600_000,
      maxPeersPerLobby: options.maxPeersPerLobby ?? 64,
      maxBufferedBytes: options.maxBufferedBytes ?? 1 << 20,
      rateLimit: options.rateLimit ?? { perSecond: 50, burst: 200 },
      log,
    };
    this.#ownsHttp = !options.server;
    this.#http = options.server ?? createServer();
    this.#http.on('request', (request: IncomingMessage, response: ServerResponse) =>
      this.#onHttp(request, response),
    );
    this.#wss = new WebSocketServer({ server: this.#http, maxPayload: options.maxFrameBytes ?? 65_536 });
    this.#wss.on('error', (error) => log('error', { reason: error.message }));
    this.#wss.on('connection', (socket, request) => {
      const connection = new Connection(socket, this.#context, request.socket.remoteAddress, request.headers);
      this.#connections.add(connection);
      socket.on('close', () => this.#connections.delete(connection));
      if (this.#closing) connection.close('E_SHUTDOWN', 'the server is shutting down');
      else if (this.#connections.size > (options.maxConnections ?? 10_000)) {
        connection.close('E_SERVER_FULL', 'too many connections; try again later');
      }
    });
    const pingMs = this.#context.pingIntervalMs;
    this.#timers.push(setInterval(() => this.#keepAlive(), pingMs));
    this.#timers.push(setInterval(() => void this.#maintain(), Math.max(50, Math.floor(leaseMs / 4))));
    for (const timer of this.#timers) timer.unref();
  }

  /** The port the server listens on. */
  get port(): number {
    return (this.#http.address() as AddressInfo).port;
  }

  /** `ws://host:port` of this server. */
  get url(): string {
    const address = this.#http.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `ws://${host}:${address.port}`;
  }

  /** Connections and held peers right now. */
  stats(): { connections: number; peers: number } {
    return { connections: this.#connections.size, peers: this.#peers.size };
  }

  /**
   * Graceful stop: refuses new connections, closes every socket with 1001 (clients reconnect and
   * resume, elsewhere or after a restart), and lets go of Redis. Lobbies are not deleted.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const timer of this.#timers) clearInterval(timer);
      for (const connection of this.#connections)
        connection.close('E_SHUTDOWN', 'the server is shutting down');
      await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
      for (const connection of this.#connections) connection.terminate();
      await this.#directory.close();
      if (this.#ownsHttp && this.#http.listening) {
        await new Promise<void>((resolve) => this.#http.close(() => resolve()));
      }
      this.#log('closed', {});
    })();
    return this.#closing;
  }

  async #listen(): Promise<void> {
    if (!this.#ownsHttp) return;
    await new Promise<void>((resolve, reject) => {
      this.#http.once('error', reject);
      this.#http.listen(this.#options.port ?? 9080, this.#options.host ?? '127.0.0.1', () => {
        this.#http.off('error', reject);
        resolve();
      });
    });
    this.#http.on('clientError', (_error, socket) => socket.destroy());
    this.#log('listening', { url: this.url, store: this.#options.redis ? 'redis' : 'memory' });
  }

  #onHttp(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    const json = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'GET') return json(405, { error: 'E_METHOD', reason: 'GET only' });
    if (path === '/healthz') {
      const healthy = this.#directory.healthy() && !this.#closing;
      return json(healthy ? 200 : 503, {
        ok: healthy,
        node: this.node,
        store: this.#options.redis ? 'redis' : 'memory',
        ...this.stats(),
      });
    }
    if (path === '/lobbies') {
      this.#directory.list().then(
        (lobbies) => json(200, { lobbies }),
        () => json(503, { error: 'E_UNAVAILABLE', reason: 'the lobby store is unavailable' }),
      );
      return;
    }
    json(404, { error: 'E_NOT_FOUND', reason: 'try /healthz, /lobbies, or a WebSocket upgrade' });
  }

  #keepAlive(): void {
    for (const connection of this.#connections) {
      if (!connection.alive) {
        this.#log('timeout', { peer: connection.peer });
        connection.terminate();
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }

  async #maintain(): Promise<void> {
    try {
      await this.#directory.maintain(this.#peers.live());
    } catch (error) {
      this.#log('error', { reason: `lease upkeep failed: ${String(error)}` });
    }
  }

  #log(event: string, fields: Record<string, unknown>): void {
    if (!this.#options.log) return;
    const clean: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) clean[key] = value;
    try {
      this.#options.log({ event, node: this.node, ...clean });
    } catch {
      // A broken logger must not take the server down.
    }
  }
}
