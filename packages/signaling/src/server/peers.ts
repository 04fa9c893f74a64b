import type { SignalPeerId } from '../contract.js';
import type { ServerMessage } from '../protocol.js';
import type { DirectoryEvent, LobbyDirectory } from './directory.js';
import type { TokenSigner } from './tokens.js';

/** The socket side a peer record delivers to (a {@link Connection}). */
export interface PeerSocket {
  /** Sends one frame (already serialised). */
  sendText(text: string): void;
  /** Closes with a refusal code name and a reason for the peer. */
  refuse(code: 'E_EVICTED' | 'E_REPLACED', text: string): void;
}

/** A peer this node holds: connected now, or dropped and waiting to resume. */
export interface PeerRecord {
  readonly id: SignalPeerId;
  readonly room: string;
  socket: PeerSocket | undefined;
  /** Frames for a dropped peer, sent when it resumes here (bounded). */
  readonly outbox: string[];
  /** What the auth hook said about this peer. */
  identity: unknown;
}

/** Frames kept for a dropped peer while it may resume; older ones are dropped first. */
const OUTBOX_LIMIT = 64;

/**
 * The peers this node holds, by id and by room, and the fan-out of directory events to their
 * sockets. Also mints each peer's resume token from the lobby's current state.
 */
export class PeerTable {
  readonly #records = new Map<SignalPeerId, PeerRecord>();
  readonly #rooms = new Map<string, Set<PeerRecord>>();

  constructor(
    readonly directory: LobbyDirectory,
    readonly signer: TokenSigner,
    readonly node: string,
    readonly log: (event: string, fields: Record<string, unknown>) => void,
  ) {}

  /** Records held now (connected or waiting to resume). */
  get size(): number {
    return this.#records.size;
  }

  get(peer: SignalPeerId): PeerRecord | undefined {
    return this.#records.get(peer);
  }

  /** Starts holding a peer. */
  add(id: SignalPeerId, room: string, socket: PeerSocket, identity: unknown): PeerRecord {
    const record: PeerRecord = { id, room, socket, outbox: [], identity };
    this.#records.set(id, record);
    let members = this.#rooms.get(room);
    if (!members) this.#rooms.set(room, (members = new Set()));
    members.add(record);
    return record;
  }

  /** Stops holding a peer (it left, expired, or moved to another node). */
  drop(record: PeerRecord): void {
    if (this.#records.get(record.id) !== record) return;
    this.#records.delete(record.id);
    const members = this.#rooms.get(record.room);
    members?.delete(record);
    if (members?.size === 0) this.#rooms.delete(record.room);
    this.directory.release(record.room);
  }

  /** Sends a message to a peer, or keeps it for the peer's return. */
  deliver(record: PeerRecord, message: ServerMessage | string): void {
    const text = typeof message === 'string' ? message : JSON.stringify(message);
    if (record.socket) {
      record.socket.sendText(text);
      return;
    }
    record.outbox.push(text);
    if (record.outbox.length > OUTBOX_LIMIT) record.outbox.shift();
  }

  /** A fresh resume token for a peer, carrying its lobby's current settings. */
  token(id: SignalPeerId, room: string): string {
    const view = this.directory.view(room);
    return this.signer.sign({
      peer: id,
      room,
      issued: Date.now(),
      code: view?.code ?? '',
      public: view?.public ?? false,
      maxPeers: view?.maxPeers ?? 1,
      pw: view?.pw ?? '',
      host: view?.host ?? id,
      sealed: view?.sealed ?? false,
    });
  }

  /** The peers to renew: connected ones by room (rooms with only dropped peers still get reaped). */
  live(): Map<string, SignalPeerId[]> {
    const live = new Map<string, SignalPeerId[]>();
    for (const [room, members] of this.#rooms) {
      live.set(
        room,
        [...members].filter((record) => record.socket).map((record) => record.id),
      );
    }
    return live;
  }

  /** Every record, for shutdown. */
  all(): PeerRecord[] {
    return [...this.#records.values()];
  }

  /** Passes one directory event on to the local sockets it concerns. */
  onEvent(event: DirectoryEvent): void {
    const members = this.#rooms.get(event.room);
    if (!members) return;
    switch (event.kind) {
      case 'joined':
        for (const record of members) {
          if (record.id !== event.peer) this.deliver(record, { type: 'peer-joined', peer: event.peer });
        }
        return;
      case 'left': {
        const gone = this.#records.get(event.peer);
        if (gone && gone.room === event.room)
          this.#evict(gone, 'E_EVICTED', 'your lease in the lobby ran out');
        for (const record of members) this.deliver(record, { type: 'peer-left', peer: event.peer });
        return;
      }
      case 'host':
        for (const record of members) {
          this.deliver(record, { type: 'host', host: event.host, resume: this.token(record.id, event.room) });
        }
        return;
      case 'sealed':
        for (const record of members) {
          this.deliver(record, { type: 'sealed', resume: this.token(record.id, event.room) });
        }
        return;
      case 'sync': {
        const present = new Set(event.peers);
        for (const record of [...members]) {
          if (!present.has(record.id)) {
            this.#evict(record, 'E_EVICTED', 'you did not return to the lobby in time');
            continue;
          }
          const peers = event.peers.filter((peer) => peer !== record.id);
          this.deliver(record, { type: 'peers', peers, host: event.host });
        }
        return;
      }
      case 'resumed': {
        const stale = this.#records.get(event.peer);
        if (event.node !== this.node && stale)
          this.#evict(stale, 'E_REPLACED', 'you resumed on another connection');
        return;
      }
      case 'signal': {
        const target = this.#records.get(event.to);
        if (target && target.room === event.room) {
          this.deliver(target, { type: 'signal', from: event.from, payload: event.payload });
        }
        return;
      }
    }
  }

  #evict(record: PeerRecord, code: 'E_EVICTED' | 'E_REPLACED', text: string): void {
    this.drop(record);
    this.log(code === 'E_EVICTED' ? 'expire' : 'moved', { peer: record.id, room: record.room });
    record.socket?.refuse(code, text);
    record.socket = undefined;
  }
}
