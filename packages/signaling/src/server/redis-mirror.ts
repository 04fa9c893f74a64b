import type { SignalPayload } from '../contract.js';
import type { DirectoryEvent, LobbyView } from './directory.js';
import type { ScriptReply } from './redis-scripts.js';

/** A change published on a lobby's channel: `ver` orders state changes; signals and resumes carry none. */
export type WireEvent =
  | { k: 'joined' | 'left'; peer: string; ver: number }
  | { k: 'host'; host: string; ver: number }
  | { k: 'sealed'; ver: number }
  | { k: 'sync'; peers: string[] | Record<string, never>; host: string; ver: number }
  | { k: 'resumed'; peer: string; node: string }
  | { k: 'signal'; from: string; to: string; payload: SignalPayload };

type Snapshot = ScriptReply & { refused?: undefined };

/**
 * One node's copy of a lobby it holds peers in. It starts from a script's snapshot, then applies
 * the lobby channel's changes strictly in version order, passing each on to the local peers; a
 * missing version (messages lost while Redis was away) calls for a fresh snapshot.
 */
export class LobbyMirror {
  view: LobbyView | undefined;
  ver = 0;
  /** Local peers (and joins in flight) needing this mirror. */
  refs = 0;
  resyncing = false;
  #pending: WireEvent[] = [];
  #waiters: { ver: number; resolve: () => void }[] = [];

  constructor(
    readonly room: string,
    private readonly onEvent: (event: DirectoryEvent) => void,
    private readonly onGap: () => void,
  ) {}

  /** Installs a snapshot; with `announce`, local peers hear the result (after lost messages). */
  apply(snapshot: Snapshot, announce: boolean): void {
    const peers = Array.isArray(snapshot.peers) ? snapshot.peers : [];
    const wasSealed = this.view?.sealed ?? false;
    this.view = {
      room: this.room,
      code: snapshot.code,
      public: snapshot.public,
      maxPeers: snapshot.max,
      pw: snapshot.pw,
      host: snapshot.host,
      sealed: snapshot.sealed,
      restoring: snapshot.restoring,
      members: new Set(peers),
    };
    this.ver = snapshot.ver;
    if (announce) {
      this.onEvent({ kind: 'sync', room: this.room, peers, host: snapshot.host });
      if (snapshot.sealed && !wasSealed) this.onEvent({ kind: 'sealed', room: this.room });
    }
    this.#drain();
  }

  /** Takes a versioned change from the channel (held back until a snapshot is in). */
  push(event: WireEvent): void {
    this.#pending.push(event);
    if (this.view) this.#drain();
  }

  /** Resolves once version `ver` is applied; after `timeoutMs` it asks for a resync and resolves anyway. */
  caughtUp(ver: number, timeoutMs: number): Promise<void> {
    if (this.ver >= ver) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = { ver, resolve };
      this.#waiters.push(waiter);
      setTimeout(() => {
        if (!this.#waiters.includes(waiter)) return;
        this.#waiters = this.#waiters.filter((other) => other !== waiter);
        this.onGap();
        resolve();
      }, timeoutMs).unref();
    });
  }

  #drain(): void {
    const view = this.view as LobbyView;
    this.#pending.sort((a, b) => versionOf(a) - versionOf(b));
    while (this.#pending.length > 0) {
      const event = this.#pending[0] as WireEvent;
      const ver = versionOf(event);
      if (ver <= this.ver) {
        this.#pending.shift();
        continue;
      }
      if (ver > this.ver + 1) {
        this.onGap();
        break;
      }
      this.#pending.shift();
      this.ver = ver;
      const change = applyEvent(this.room, view, event);
      if (change) this.onEvent(change);
    }
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.ver > this.ver) return true;
      waiter.resolve();
      return false;
    });
  }
}

function versionOf(event: WireEvent): number {
  return 'ver' in event ? event.ver : 0;
}

/** Applies one versioned change to a view; returns the event to pass on. */
function applyEvent(room: string, view: LobbyView, event: WireEvent): DirectoryEvent | undefined {
  switch (event.k) {
    case 'joined':
      view.members.add(event.peer);
      return { kind: 'joined', room, peer: event.peer };
    case 'left':
      view.members.delete(event.peer);
      return { kind: 'left', room, peer: event.peer };
    case 'host':
      view.host = event.host;
      return { kind: 'host', room, host: event.host };
    case 'sealed':
      view.sealed = true;
      return { kind: 'sealed', room };
    case 'sync': {
      const peers = Array.isArray(event.peers) ? event.peers : [];
      view.members.clear();
      for (const peer of peers) view.members.add(peer);
      view.host = event.host;
      view.restoring = false;
      return { kind: 'sync', room, peers, host: event.host };
    }
    default:
      return undefined;
  }
}
