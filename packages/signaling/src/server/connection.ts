import type { IncomingHttpHeaders } from 'node:http';
import { nanoid } from 'nanoid';
import type { WebSocket } from 'ws';
import { SignalingError } from '../contract.js';
import {
  CLOSE_CODES,
  type ClientMessage,
  type CloseCodeName,
  closeReason,
  isFault,
  type JoinMessage,
  normaliseJoinCode,
  PROTOCOL_VERSION,
  parseClientMessage,
  type ServerMessage,
} from '../protocol.js';
import { type Authenticate, askAuth } from './auth.js';
import type { LobbyDirectory, LobbyView } from './directory.js';
import type { PeerRecord, PeerSocket, PeerTable } from './peers.js';
import { type RateLimit, TokenBucket } from './rate-limit.js';
import type { TokenSigner } from './tokens.js';

/** What every connection shares with its server. */
export interface ConnectionContext {
  readonly directory: LobbyDirectory;
  readonly peers: PeerTable;
  readonly signer: TokenSigner;
  readonly authenticate: Authenticate | undefined;
  readonly joinTimeoutMs: number;
  readonly pingIntervalMs: number;
  readonly resumeTtlMs: number;
  readonly maxPeersPerLobby: number;
  readonly maxBufferedBytes: number;
  readonly rateLimit: RateLimit;
  readonly log: (event: string, fields: Record<string, unknown>) => void;
}

type State = 'open' | 'joining' | 'joined' | 'closed';

/**
 * One client socket: reads frames, enforces the rate limit and the join deadline, and carries
 * out join, resume, list, signal, seal and leave. Nothing a client sends can make it throw;
 * every refusal is an `error` answer or a close with a code (PROTOCOL.md).
 */
export class Connection implements PeerSocket {
  readonly #socket: WebSocket;
  readonly #context: ConnectionContext;
  readonly #bucket: TokenBucket;
  readonly #remoteAddress: string | undefined;
  readonly #headers: IncomingHttpHeaders;
  #state: State = 'open';
  #record: PeerRecord | undefined;
  #joinTimer: ReturnType<typeof setTimeout> | undefined;
  /** Cleared by each keep-alive round, set by any sign of life. */
  alive = true;

  constructor(
    socket: WebSocket,
    context: ConnectionContext,
    remoteAddress: string | undefined,
    headers: IncomingHttpHeaders,
  ) {
    this.#socket = socket;
    this.#context = context;
    this.#remoteAddress = remoteAddress;
    this.#headers = headers;
    this.#bucket = new TokenBucket(context.rateLimit);
    this.#joinTimer = setTimeout(() => {
      if (this.#state !== 'joined') this.close('E_JOIN_TIMEOUT', `join within ${context.joinTimeoutMs} ms`);
    }, context.joinTimeoutMs);
    socket.on('message', (data, isBinary) => this.#guard(() => this.#onFrame(data, isBinary)));
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.#guard(() => this.#onClose()));
    // ws reports protocol violations (bad UTF-8, oversized frames) here and closes by itself.
    socket.on('error', (error) =>
      context.log('bad-frame', { peer: this.#record?.id, reason: error.message }),
    );
  }

  /** The peer this connection carries, once joined. */
  get peer(): string | undefined {
    return this.#record?.id;
  }

  /** Sends one serialised frame, closing a consumer too slow to drain what it was sent. */
  sendText(text: string): void {
    if (this.#socket.readyState !== this.#socket.OPEN) return;
    if (this.#socket.bufferedAmount > this.#context.maxBufferedBytes) {
      this.close('E_SLOW_CONSUMER', 'too much unread data');
      return;
    }
    this.#socket.send(text);
  }

  /** Closes because this peer was taken over or expired elsewhere (its record is already gone). */
  refuse(code: 'E_EVICTED' | 'E_REPLACED', text: string): void {
    this.#record = undefined;
    this.close(code, text);
  }

  /** Closes with a refusal code from {@link CLOSE_CODES} and a reason. */
  close(code: CloseCodeName, text: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    clearTimeout(this.#joinTimer);
    if (code !== 'E_LEFT' && code !== 'E_SHUTDOWN')
      this.#context.log('refuse', { peer: this.peer, code, reason: text });
    if (code === 'E_RATE_LIMITED' || code === 'E_SLOW_CONSUMER') this.#kick();
    this.#socket.close(CLOSE_CODES[code], closeReason(code, text));
    // A peer that ignores the closing handshake is cut off.
    setTimeout(() => this.#socket.terminate(), 2000).unref();
  }

  /** Cuts the socket without a handshake (keep-alive failure). */
  terminate(): void {
    this.#socket.terminate();
  }

  /** Sends a keep-alive ping. */
  ping(): void {
    if (this.#socket.readyState === this.#socket.OPEN) this.#socket.ping();
  }

  #send(message: ServerMessage): void {
    this.sendText(JSON.stringify(message));
  }

  #answer(code: string, reason: string, rid?: number): void {
    this.#send(rid === undefined ? { type: 'error', code, reason } : { type: 'error', rid, code, reason });
  }

  #onFrame(data: unknown, isBinary: boolean): void {
    if (this.#state === 'closed') return;
    this.alive = true;
    if (!this.#bucket.take()) {
      this.close('E_RATE_LIMITED', `more than ${this.#context.rateLimit.perSecond} messages per second`);
      return;
    }
    if (isBinary) {
      this.#answer('E_BAD_MESSAGE', 'frames must be text (JSON)');
      return;
    }
    const message = parseClientMessage(String(data));
    if (isFault(message)) {
      this.#answer(message.fault, message.reason, message.rid);
      return;
    }
    this.#dispatch(message);
  }

  #dispatch(message: ClientMessage): void {
    switch (message.type) {
      case 'ping':
        this.#send({ type: 'pong' });
        return;
      case 'list':
        this.#async(async () => {
          const lobbies = await this.#context.directory.list();
          this.#send({ type: 'lobbies', ...rid(message.rid), lobbies: lobbies.slice(0, 200) });
        }, message.rid);
        return;
      case 'join':
      case 'resume':
        if (this.#state !== 'open') {
          this.#answer('E_ALREADY_JOINED', 'this connection already joined a lobby', message.rid);
          return;
        }
        if (message.v !== PROTOCOL_VERSION) {
          this.close('E_VERSION', `this server speaks protocol version ${PROTOCOL_VERSION}`);
          return;
        }
        this.#state = 'joining';
        this.#async(
          () => (message.type === 'join' ? this.#join(message) : this.#resume(message)),
          message.rid,
        );
        return;
      case 'signal':
        this.#signal(message.to, message.payload);
        return;
      case 'seal': {
        const record = this.#record;
        if (!record) return this.#answer('E_NOT_JOINED', 'join a lobby first', message.rid);
        this.#async(async () => {
          await this.#context.directory.seal(record.room, record.id);
          this.#context.log('seal', { peer: record.id, room: record.room });
          this.#send({ type: 'ok', ...rid(message.rid) });
        }, message.rid);
        return;
      }
      case 'leave':
        this.#leave();
        return;
    }
  }

  async #join(message: JoinMessage): Promise<void> {
    const code = message.code === undefined ? undefined : normaliseJoinCode(message.code);
    if (message.code !== undefined && code === undefined) {
      this.#state = 'open';
      return this.#answer('E_NO_ROOM', 'that is not a join code', message.rid);
    }
    const identity = await this.#authenticate(message.token, message.room, false);
    if (identity === undefined) return;
    const peer = nanoid();
    const request = {
      peer,
      create: message.create ?? true,
      maxPeers: Math.min(message.maxPeers ?? this.#context.maxPeersPerLobby, this.#context.maxPeersPerLobby),
      public: message.public ?? true,
      ...(code === undefined ? { room: message.room as string } : { code }),
      ...(message.password === undefined ? {} : { password: message.password }),
    };
    let view: LobbyView;
    try {
      view = await this.#context.directory.join(request);
    } catch (error) {
      if (this.#state === 'joining') this.#state = 'open';
      throw error;
    }
    this.#admit(peer, view, identity, false, message.rid);
  }

  async #resume(message: { resume: string; token?: string; rid?: number }): Promise<void> {
    const claims = this.#context.signer.verify(message.resume, this.#context.resumeTtlMs);
    if (!claims) return this.close('E_RESUME_REFUSED', 'the resume token is not valid (or too old)');
    const identity = await this.#authenticate(message.token, claims.room, true);
    if (identity === undefined) return;
    let view: LobbyView;
    try {
      view = await this.#context.directory.resume(claims);
    } catch (error) {
      // A refusal is final; a store outage is not (1011 tells the client to try again).
      if (error instanceof SignalingError) return this.close('E_RESUME_REFUSED', error.message);
      this.#context.log('error', { peer: claims.peer, reason: String(error) });
      return this.close('E_INTERNAL', 'the lobby store is unavailable; try again');
    }
    this.#admit(claims.peer, view, identity, true, message.rid);
  }

  /** Asks the auth hook; undefined (after closing with E_UNAUTHORIZED) when refused. */
  async #authenticate(
    token: string | undefined,
    room: string | undefined,
    resume: boolean,
  ): Promise<unknown> {
    const hook = this.#context.authenticate;
    if (!hook) return null;
    const verdict = await askAuth(hook, {
      token,
      room,
      resume,
      remoteAddress: this.#remoteAddress,
      headers: this.#headers,
    });
    if ('refused' in verdict) {
      this.close('E_UNAUTHORIZED', verdict.refused);
      return undefined;
    }
    return verdict.identity;
  }

  /** Makes a joined (or resumed) peer live on this connection. */
  #admit(
    peer: string,
    view: LobbyView,
    identity: unknown,
    resumed: boolean,
    requestId: number | undefined,
  ): void {
    const { directory, peers } = this.#context;
    if (this.#state === 'closed') {
      // The socket went away while the directory worked: a fresh join is undone, a resume
      // simply keeps waiting for the peer's next attempt.
      if (!resumed) void directory.leave(view.room, peer).catch(() => {});
      return;
    }
    let record = peers.get(peer);
    if (record && record.room === view.room) {
      if (record.socket && record.socket !== this)
        record.socket.refuse('E_REPLACED', 'you resumed on another connection');
      record.socket = this;
    } else {
      record = peers.add(peer, view.room, this, identity);
    }
    record.identity = identity;
    this.#record = record;
    this.#state = 'joined';
    clearTimeout(this.#joinTimer);
    this.#send({
      type: 'joined',
      ...rid(requestId),
      v: PROTOCOL_VERSION,
      room: view.room,
      code: view.code,
      public: view.public,
      maxPeers: view.maxPeers,
      self: peer,
      host: view.host,
      peers: [...view.members].filter((id) => id !== peer),
      sealed: view.sealed,
      resumed,
      restoring: view.restoring,
      resume: peers.token(peer, view.room),
      pingMs: this.#context.pingIntervalMs,
    });
    for (const text of record.outbox.splice(0)) this.sendText(text);
    this.#context.log(resumed ? 'resume' : 'join', {
      peer,
      room: view.room,
      peers: view.members.size,
      ...(typeof identity === 'string' ? { user: identity } : {}),
    });
  }

  #signal(to: string, payload: unknown): void {
    const record = this.#record;
    if (!record) return this.#answer('E_NOT_JOINED', 'join a lobby first');
    const view = this.#context.directory.view(record.room);
    if (to === record.id || !view?.members.has(to)) {
      return this.#answer('E_UNKNOWN_PEER', `no peer ${JSON.stringify(to.slice(0, 32))} in this lobby`);
    }
    const target = this.#context.peers.get(to);
    if (target && target.room === record.room) {
      this.#context.peers.deliver(target, { type: 'signal', from: record.id, payload });
    } else {
      this.#context.directory.forward(record.room, record.id, to, payload);
    }
  }

  #leave(): void {
    const record = this.#record;
    this.#record = undefined;
    this.close('E_LEFT', 'left the lobby');
    if (!record) return;
    this.#context.peers.drop(record);
    this.#context.log('leave', { peer: record.id, room: record.room });
    void this.#context.directory.leave(record.room, record.id).catch(() => {});
  }

  /** A kicked peer loses its place at once instead of holding it for a resume. */
  #kick(): void {
    const record = this.#record;
    this.#record = undefined;
    if (!record || record.socket !== this) return;
    this.#context.peers.drop(record);
    void this.#context.directory.leave(record.room, record.id).catch(() => {});
  }

  #onClose(): void {
    const wasJoined = this.#state === 'joined';
    this.#state = 'closed';
    clearTimeout(this.#joinTimer);
    const record = this.#record;
    this.#record = undefined;
    if (!record || record.socket !== this) return;
    // The peer keeps its place until its lease runs out, so it can resume.
    record.socket = undefined;
    if (wasJoined) this.#context.log('drop', { peer: record.id, room: record.room });
  }

  /** Runs a request, turning any refusal into an `error` answer and anything else into E_INTERNAL. */
  #async(run: () => Promise<void>, requestId: number | undefined): void {
    run().catch((error: unknown) => {
      if (this.#state === 'closed') return;
      if (error instanceof SignalingError) {
        this.#answer(error.code, error.message, requestId);
      } else {
        this.#context.log('error', { peer: this.peer, reason: String(error) });
        this.#answer('E_UNAVAILABLE', 'the server could not complete the request; try again', requestId);
      }
    });
  }

  #guard(run: () => void): void {
    try {
      run();
    } catch (error) {
      this.#context.log('error', { peer: this.peer, reason: String(error) });
    }
  }
}

function rid(requestId: number | undefined): { rid?: number } {
  return requestId === undefined ? {} : { rid: requestId };
}
