import { createEmitter, type Emitter, type LeaveCode, type PeerId, Session } from '@meshplay/core';
import {
  type WebSocketConstructor,
  type WebSocketRoom,
  WebSocketSignaling,
} from '@meshplay/signaling/websocket';
import { type IceServerConfig, WebRtcTransport } from '@meshplay/transport-webrtc';
import { WebSocket } from 'ws';
import { Chat } from './chat.js';
import { Lobby } from './lobby.js';
import { MAX_NAME, MAX_TEXT, textProblem } from './text.js';

/** A refusal of the chat client itself (signaling and session refusals keep their own classes). */
export class ChatError extends Error {
  override name = 'ChatError';
  constructor(
    readonly code: 'E_BAD_NAME' | 'E_BAD_TEXT' | 'E_CLOSED',
    message: string,
  ) {
    super(message);
  }
}

/** How a {@link ChatClient} reaches the others. */
export interface ChatClientOptions {
  /** The signaling server's URL, e.g. `ws://127.0.0.1:9080` (or several nodes' URLs). */
  server: string | readonly string[];
  /** This peer's display name: 1–32 printable characters. */
  name: string;
  /** The lobby's password (set by its creator; asked of everyone who joins). */
  password?: string;
  /** Local address for ICE host candidates (`127.0.0.1` keeps everything on loopback). */
  bindAddress?: string;
  /** STUN/TURN servers, for peers on different networks. Default none. */
  iceServers?: readonly IceServerConfig[];
  /** The WebSocket class. Default: `ws`'s (Node 20 has no global one). */
  WebSocket?: WebSocketConstructor;
}

/** One member as `who()` lists it. */
export interface Member {
  id: PeerId;
  /** Undefined until the peer introduced itself. */
  name: string | undefined;
  self: boolean;
  host: boolean;
  /** Heartbeat round trip in ms, once measured (never for yourself). */
  rttMs: number | undefined;
}

/** What a {@link ChatClient} reports. */
export type ChatEvents = {
  /** Somebody said something. */
  message: { from: PeerId; name: string; text: string };
  /** A peer introduced itself: one that was here when we came (`wasHere`) or a newcomer. */
  joined: { peer: PeerId; name: string; wasHere: boolean };
  /** A peer left: `code` is `'left'` for a clean leave, else why it was dropped. */
  left: { peer: PeerId; name: string; code: LeaveCode; reason: string };
  /** The session has a new host (the old one left). */
  'host-changed': { host: PeerId; name: string };
  /** The host sealed the lobby: nobody else can join. */
  sealed: Record<string, never>;
  /** This client is out for good (`code` `'left'` after {@link ChatClient.quit}). */
  closed: { code: LeaveCode; reason: string };
  /** Something failed or was refused without ending the chat. */
  error: { error: Error };
};

/**
 * A chat over a full WebRTC mesh: the signaling server finds the peers and swaps their offers,
 * then every pair of peers talks directly and the signaling server carries nothing more.
 *
 * ```ts
 * const alice = await ChatClient.create({ server: 'ws://127.0.0.1:9080', name: 'alice' });
 * const bob = await ChatClient.join(alice.code, { server: 'ws://127.0.0.1:9080', name: 'bob' });
 * alice.events.on('message', ({ name, text }) => console.log(`<${name}> ${text}`));
 * bob.say('hi');
 * await alice.seal();
 * ```
 */
export class ChatClient {
  /** Creates a private lobby and joins it as its host; its code is {@link code}. */
  static create(options: ChatClientOptions): Promise<ChatClient> {
    return ChatClient.#enter(undefined, options);
  }

  /** Joins the lobby whose join code is `code` (case-insensitive). */
  static join(code: string, options: ChatClientOptions): Promise<ChatClient> {
    return ChatClient.#enter(code, options);
  }

  static async #enter(code: string | undefined, options: ChatClientOptions): Promise<ChatClient> {
    const problem = textProblem(options.name, MAX_NAME);
    if (problem) throw new ChatError('E_BAD_NAME', `name ${JSON.stringify(options.name)}: ${problem}`);
    const signaling = new WebSocketSignaling({
      url: options.server,
      WebSocket: options.WebSocket ?? WebSocket,
    });
    const lobby = new Lobby(signaling, code);
    // A fresh private lobby when creating (people find it by its code); ignored when joining by code.
    const transport = await WebRtcTransport.join(lobby, `chat-${crypto.randomUUID()}`, {
      topology: 'mesh',
      joinOptions: {
        public: false,
        ...(options.password === undefined ? {} : { password: options.password }),
      },
      ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
      ...(options.iceServers === undefined ? {} : { iceServers: options.iceServers }),
    });
    const client = new ChatClient(transport, lobby.room!, options.name);
    try {
      await client.session.ready();
    } catch (error) {
      await client.quit();
      throw error;
    }
    return client;
  }

  readonly events: Emitter<ChatEvents> = createEmitter<ChatEvents>();
  /** The session under the chat (for its events, stats and RTTs). */
  readonly session: Session;
  readonly #transport: WebRtcTransport;
  readonly #room: WebSocketRoom;
  readonly #chat: Chat;
  /** Who was already here when this peer got in. */
  #present = new Set<PeerId>();
  #closed = false;
  #quitting: Promise<void> | undefined;

  private constructor(transport: WebRtcTransport, room: WebSocketRoom, name: string) {
    this.#transport = transport;
    this.#room = room;
    // The signaling host is the lobby's creator (or, before the seal, its oldest member): the
    // one peer that starts the session as its host.
    this.session = new Session({ transport, topology: 'mesh', role: transport.isHost ? 'host' : 'client' });
    this.#chat = this.session.register('chat', new Chat(this.session, name));
    this.#wire();
  }

  /** The lobby's join code: give it to whoever should join. */
  get code(): string {
    return this.#room.code;
  }

  /** This peer's id. */
  get id(): PeerId {
    return this.session.id;
  }

  /** This peer's display name. */
  get name(): string {
    return this.#chat.name;
  }

  /** Whether this peer hosts the session now. */
  get isHost(): boolean {
    return this.session.isHost;
  }

  /** Whether this peer may seal the lobby: it is the lobby's host and the lobby is still open. */
  get canSeal(): boolean {
    return !this.#closed && this.#transport.isHost && !this.#room.sealed;
  }

  /** Whether the lobby is sealed. */
  get sealed(): boolean {
    return this.#room.sealed;
  }

  /** Says `text` to everyone else. */
  say(text: string): void {
    if (this.#closed) throw new ChatError('E_CLOSED', 'this chat client has quit');
    const problem = textProblem(text, MAX_TEXT);
    if (problem) throw new ChatError('E_BAD_TEXT', `message ${problem}`);
    this.#chat.sayToAll(text);
  }

  /**
   * Lobby host only: seals the lobby, so every later join is refused with `E_SEALED`. Rejects with
   * the server's `SignalingError` (`E_NOT_HOST` for anyone else).
   */
  async seal(): Promise<void> {
    if (this.#closed) throw new ChatError('E_CLOSED', 'this chat client has quit');
    await this.#room.seal();
    this.session.refuseNewPeers = true;
  }

  /** Everyone in the chat, this peer first, then in join order. */
  who(): Member[] {
    const host = this.session.hostId;
    return [this.id, ...this.session.peers()].map((id) => ({
      id,
      name: this.#chat.nameOf(id),
      self: id === this.id,
      host: id === host,
      rttMs: id === this.id ? undefined : this.session.rtt(id),
    }));
  }

  /** Leaves cleanly: the others see this peer leave at once (not after a timeout). */
  async quit(): Promise<void> {
    if (this.#quitting) return this.#quitting;
    this.#quitting = (async () => {
      await this.session.close();
      // A session that already ended by itself returns from close() at once, its transport
      // still closing: wait for that too, so nothing is left running when this resolves.
      await this.#transport.close();
      this.#closed = true;
    })();
    return this.#quitting;
  }

  #wire(): void {
    const { session, events } = this;
    const label = (peer: PeerId) => this.#chat.nameOf(peer) ?? peer.slice(0, 6);
    session.events.on('connected', () => {
      this.#present = new Set(session.peers());
    });
    session.events.on('peer-joined', ({ peer }) => this.#chat.introduceTo(peer));
    session.events.on('peer-left', ({ peer, code, reason }) => {
      const name = label(peer);
      this.#chat.forget(peer);
      this.#present.delete(peer);
      events.emit('left', { peer, name, code, reason });
    });
    session.events.on('host-changed', ({ host }) => events.emit('host-changed', { host, name: label(host) }));
    session.events.on('disconnected', ({ code, reason }) => {
      this.#closed = true;
      events.emit('closed', { code, reason });
    });
    session.events.on('error', ({ error }) => events.emit('error', { error }));
    this.#transport.events.on('error', ({ error }) => events.emit('error', { error }));
    this.#chat.events.on('named', ({ peer, name }) =>
      events.emit('joined', { peer, name, wasHere: this.#present.has(peer) }),
    );
    this.#chat.events.on('message', (message) => events.emit('message', message));
    this.#room.events.on('sealed', () => {
      // Signaling refuses newcomers from now on; the session's host does too, should one slip by.
      session.refuseNewPeers = true;
      events.emit('sealed', {});
    });
  }
}
