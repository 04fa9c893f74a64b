import { customAlphabet } from 'nanoid';
import { SignalingError, type SignalPayload, type SignalPeerId } from '../contract.js';
import { JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH, type LobbyInfo } from '../protocol.js';
import type { DirectoryContext, JoinRequest, LobbyDirectory, LobbyView } from './directory.js';
import type { ResumeClaims } from './tokens.js';

/** Makes a fresh join code. */
export const newJoinCode = customAlphabet(JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH);

interface LocalLobby extends LobbyView {
  /** Lease deadline per member (ms since the epoch). */
  readonly deadlines: Map<SignalPeerId, number>;
  /** While restoring: when the restore window closes. */
  restoreUntil: number;
}

/**
 * Lobbies held in this process: one server node, no shared store. The same rules as the Redis
 * scripts (redis-scripts.ts), in plain code.
 */
export class LocalDirectory implements LobbyDirectory {
  readonly #context: DirectoryContext;
  readonly #lobbies = new Map<string, LocalLobby>();
  readonly #codes = new Map<string, string>();

  constructor(context: DirectoryContext) {
    this.#context = context;
  }

  async join(request: JoinRequest): Promise<LobbyView> {
    const now = Date.now();
    const name = request.code !== undefined ? this.#codes.get(request.code) : request.room;
    if (name === undefined) throw new SignalingError('E_NO_ROOM', `no lobby has code ${request.code}`);
    let lobby = this.#reaped(name, now);
    const pw = this.#context.signer.passwordDigest(name, request.password);
    if (!lobby) {
      if (!request.create) throw new SignalingError('E_NO_ROOM', `lobby '${name}' does not exist`);
      lobby = this.#create(name, request.peer, { pw, public: request.public, maxPeers: request.maxPeers });
    } else {
      if (lobby.sealed) throw new SignalingError('E_SEALED', `lobby '${name}' is sealed`);
      if (lobby.pw !== pw) throw new SignalingError('E_BAD_PASSWORD', `wrong password for lobby '${name}'`);
      if (lobby.members.size >= lobby.maxPeers)
        throw new SignalingError('E_ROOM_FULL', `lobby '${name}' is full`);
    }
    this.#add(lobby, request.peer, now);
    return lobby;
  }

  async resume(claims: ResumeClaims): Promise<LobbyView> {
    const now = Date.now();
    let lobby = this.#reaped(claims.room, now);
    if (lobby?.members.has(claims.peer)) {
      lobby.deadlines.set(claims.peer, now + this.#context.leaseMs);
      this.#context.onEvent({
        kind: 'resumed',
        room: lobby.room,
        peer: claims.peer,
        node: this.#context.node,
      });
      return lobby;
    }
    if (lobby && !lobby.restoring) {
      throw new SignalingError('E_RESUME_REFUSED', 'this peer has already left the lobby');
    }
    if (!lobby) {
      const code = this.#codes.has(claims.code) ? newJoinCode() : claims.code;
      lobby = this.#create(claims.room, claims.host, claims, code);
      lobby.sealed = claims.sealed;
      lobby.restoring = true;
      lobby.restoreUntil = now + this.#context.restoreMs;
    }
    this.#add(lobby, claims.peer, now);
    return lobby;
  }

  async leave(room: string, peer: SignalPeerId): Promise<void> {
    const lobby = this.#lobbies.get(room);
    if (!lobby?.members.has(peer)) return;
    this.#remove(lobby, peer);
    this.#settle(lobby, Date.now());
  }

  async seal(room: string, peer: SignalPeerId): Promise<void> {
    const lobby = this.#lobbies.get(room);
    if (!lobby || lobby.host !== peer)
      throw new SignalingError('E_NOT_HOST', 'only the host may seal the lobby');
    if (lobby.sealed) return;
    lobby.sealed = true;
    this.#context.onEvent({ kind: 'sealed', room });
  }

  view(room: string): LobbyView | undefined {
    return this.#lobbies.get(room);
  }

  forward(_room: string, _from: SignalPeerId, _to: SignalPeerId, _payload: SignalPayload): void {
    // Every member of a local lobby is held by this node: nothing lives elsewhere.
  }

  async maintain(live: ReadonlyMap<string, readonly SignalPeerId[]>): Promise<void> {
    const now = Date.now();
    for (const [room, peers] of live) {
      const lobby = this.#lobbies.get(room);
      if (!lobby) continue;
      for (const peer of peers)
        if (lobby.deadlines.has(peer)) lobby.deadlines.set(peer, now + this.#context.leaseMs);
    }
    for (const room of [...this.#lobbies.keys()]) this.#reaped(room, now);
  }

  release(_room: string): void {}

  async list(): Promise<LobbyInfo[]> {
    return [...this.#lobbies.values()]
      .filter((lobby) => lobby.public)
      .map((lobby) => ({
        room: lobby.room,
        code: lobby.code,
        peers: lobby.members.size,
        maxPeers: lobby.maxPeers,
        password: lobby.pw !== '',
        sealed: lobby.sealed,
      }));
  }

  healthy(): boolean {
    return true;
  }

  async close(): Promise<void> {}

  /** The lobby after expiring overdue members (undefined if that emptied it, or it never was). */
  #reaped(room: string, now: number): LocalLobby | undefined {
    const lobby = this.#lobbies.get(room);
    if (!lobby) return undefined;
    for (const [peer, deadline] of lobby.deadlines) if (deadline < now) this.#remove(lobby, peer);
    return this.#settle(lobby, now) ? lobby : undefined;
  }

  #create(
    room: string,
    host: SignalPeerId,
    settings: { pw: string; public: boolean; maxPeers: number },
    code = this.#freshCode(),
  ): LocalLobby {
    const lobby: LocalLobby = {
      room,
      code,
      public: settings.public,
      maxPeers: settings.maxPeers,
      pw: settings.pw,
      host,
      sealed: false,
      restoring: false,
      restoreUntil: 0,
      members: new Set(),
      deadlines: new Map(),
    };
    this.#lobbies.set(room, lobby);
    this.#codes.set(code, room);
    return lobby;
  }

  #freshCode(): string {
    for (;;) {
      const code = newJoinCode();
      if (!this.#codes.has(code)) return code;
    }
  }

  #add(lobby: LocalLobby, peer: SignalPeerId, now: number): void {
    lobby.members.add(peer);
    lobby.deadlines.set(peer, now + this.#context.leaseMs);
    this.#context.onEvent({ kind: 'joined', room: lobby.room, peer });
  }

  #remove(lobby: LocalLobby, peer: SignalPeerId): void {
    lobby.members.delete(peer);
    lobby.deadlines.delete(peer);
    this.#context.onEvent({ kind: 'left', room: lobby.room, peer });
  }

  /** After removals: drops an empty lobby, ends a due restore, hands the host role on. False if dropped. */
  #settle(lobby: LocalLobby, now: number): boolean {
    if (lobby.members.size === 0) {
      this.#lobbies.delete(lobby.room);
      if (this.#codes.get(lobby.code) === lobby.room) this.#codes.delete(lobby.code);
      return false;
    }
    if (lobby.restoring && lobby.restoreUntil <= now) {
      lobby.restoring = false;
      this.#elect(lobby);
      this.#context.onEvent({ kind: 'sync', room: lobby.room, peers: [...lobby.members], host: lobby.host });
    } else if (!lobby.restoring) {
      this.#elect(lobby);
    }
    return true;
  }

  /** Before sealing, a departed host is replaced by the oldest member. */
  #elect(lobby: LocalLobby): void {
    if (lobby.sealed || lobby.members.has(lobby.host)) return;
    const next = lobby.members.values().next().value as SignalPeerId;
    lobby.host = next;
    this.#context.onEvent({ kind: 'host', room: lobby.room, host: next });
  }
}
