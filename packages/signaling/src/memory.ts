import {
  type JoinOptions,
  type SignalingAdapter,
  SignalingError,
  type SignalingRoom,
  type SignalPayload,
  type SignalPeerId,
} from './contract.js';
import { SignalingEventEmitter } from './emitter.js';
import { randomPeerId } from './ids.js';

interface MemoryLobby {
  readonly name: string;
  readonly password: string | undefined;
  readonly maxPeers: number;
  readonly members: Map<SignalPeerId, MemoryRoom>;
  host: SignalPeerId;
  sealed: boolean;
}

/**
 * An in-process signaling server: rooms live in this object, every adapter made from it shares
 * them. Delivery is asynchronous (a microtask), as over a real network. For tests and
 * single-process examples.
 */
export class MemorySignalingHub {
  readonly #lobbies = new Map<string, MemoryLobby>();

  /** An adapter whose peers meet in this hub's rooms. */
  adapter(): SignalingAdapter {
    return { join: (room, options) => this.#join(room, options ?? {}) };
  }

  /** Room names with at least one peer. */
  rooms(): string[] {
    return [...this.#lobbies.keys()];
  }

  async #join(name: string, options: JoinOptions): Promise<SignalingRoom> {
    await Promise.resolve();
    let lobby = this.#lobbies.get(name);
    if (!lobby) {
      if (options.create === false) throw new SignalingError('E_NO_ROOM', `room '${name}' does not exist`);
      lobby = {
        name,
        password: options.password,
        maxPeers: options.maxPeers ?? Number.POSITIVE_INFINITY,
        members: new Map(),
        host: '',
        sealed: false,
      };
      this.#lobbies.set(name, lobby);
    } else {
      if (lobby.sealed) throw new SignalingError('E_SEALED', `room '${name}' is sealed`);
      if (lobby.password !== undefined && lobby.password !== options.password) {
        throw new SignalingError('E_BAD_PASSWORD', `wrong password for room '${name}'`);
      }
      if (lobby.members.size >= lobby.maxPeers)
        throw new SignalingError('E_ROOM_FULL', `room '${name}' is full`);
    }
    const room = new MemoryRoom(this, lobby, randomPeerId());
    if (lobby.members.size === 0) lobby.host = room.selfId;
    for (const other of lobby.members.values()) other.deliver('peer-joined', { peer: room.selfId });
    lobby.members.set(room.selfId, room);
    return room;
  }

  /** @internal */
  leave(lobby: MemoryLobby, id: SignalPeerId): void {
    if (!lobby.members.delete(id)) return;
    if (lobby.members.size === 0) {
      this.#lobbies.delete(lobby.name);
      return;
    }
    for (const other of lobby.members.values()) other.deliver('peer-left', { peer: id });
    if (lobby.host === id && !lobby.sealed) {
      // Before the seal the longest-present member inherits the room (Map keeps insertion
      // order); after it the session above owns the game, as with the WebSocket server.
      lobby.host = lobby.members.keys().next().value as SignalPeerId;
      for (const other of lobby.members.values()) other.deliver('host-changed', { host: lobby.host });
    }
  }
}

class MemoryRoom implements SignalingRoom {
  readonly events = new SignalingEventEmitter();
  #left = false;

  constructor(
    readonly hub: MemorySignalingHub,
    readonly lobby: MemoryLobby,
    readonly selfId: SignalPeerId,
  ) {}

  get room(): string {
    return this.lobby.name;
  }

  get hostId(): SignalPeerId {
    return this.lobby.host;
  }

  get sealed(): boolean {
    return this.lobby.sealed;
  }

  peers(): readonly SignalPeerId[] {
    return [...this.lobby.members.keys()].filter((id) => id !== this.selfId);
  }

  send(to: SignalPeerId, payload: SignalPayload): void {
    if (this.#left) throw new SignalingError('E_CLOSED', 'this peer has left the room');
    const target = this.lobby.members.get(to);
    if (!target) {
      this.events.emit('error', {
        error: new SignalingError('E_UNKNOWN_PEER', `no peer '${to}' in this room`),
      });
      return;
    }
    // A structured clone keeps peers from sharing mutable objects, as a real wire would.
    target.deliver('signal', { from: this.selfId, payload: structuredClone(payload) });
  }

  async seal(): Promise<void> {
    if (this.lobby.host !== this.selfId)
      throw new SignalingError('E_NOT_HOST', 'only the host may seal the room');
    this.lobby.sealed = true;
    for (const member of this.lobby.members.values()) member.deliver('sealed', {});
  }

  async leave(): Promise<void> {
    if (this.#left) return;
    this.#left = true;
    this.hub.leave(this.lobby, this.selfId);
  }

  /** @internal */
  deliver<K extends 'peer-joined' | 'peer-left' | 'signal' | 'host-changed' | 'sealed'>(
    type: K,
    event: Parameters<SignalingEventEmitter['emit']>[1] & object,
  ): void {
    queueMicrotask(() => {
      if (!this.#left) this.events.emit(type, event as never);
    });
  }
}
