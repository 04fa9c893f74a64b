import { createEmitter, type Emitter, type PeerId, rpc, type Session } from '@meshplay/core';
import { MAX_NAME, MAX_TEXT, oneText } from './text.js';

/** What the chat service reports. */
export type ChatServiceEvents = {
  /** A peer told us its name (once per peer). */
  named: { peer: PeerId; name: string };
  /** A message from a peer, with the name it introduced itself by. */
  message: { from: PeerId; name: string; text: string };
};

/** Messages kept per sender while its name has not arrived yet. */
const MAX_PENDING = 32;

/**
 * The chat as a session service: every peer registers one under the same name. Each peer tells
 * every other its name once, directly; messages go to everyone at once over the mesh.
 *
 * A message may overtake its sender's introduction (the introduction went through the host
 * before the direct link opened, the message went direct), so messages from a peer whose name is
 * not known yet wait for it: a line is never shown under the wrong name.
 */
export class Chat {
  readonly events: Emitter<ChatServiceEvents> = createEmitter<ChatServiceEvents>();
  readonly #names = new Map<PeerId, string>();
  readonly #pending = new Map<PeerId, string[]>();

  constructor(
    readonly session: Session,
    readonly name: string,
  ) {}

  /** A peer's name: the one it introduced itself by, if it did. */
  nameOf(peer: PeerId): string | undefined {
    return peer === this.session.id ? this.name : this.#names.get(peer);
  }

  /** Sends this peer's name to `peer`. */
  introduceTo(peer: PeerId): void {
    this.session.rpc<Chat>(this, { to: peer }).introduce(this.name);
  }

  /** Says `text` to everyone else. */
  sayToAll(text: string): void {
    this.session.rpc<Chat>(this).say(text);
  }

  /** Forgets a peer that left. */
  forget(peer: PeerId): void {
    this.#names.delete(peer);
    this.#pending.delete(peer);
  }

  /** Remote: the caller's display name. A peer's first introduction stands; later ones are ignored. */
  @rpc({ mode: 'any', args: oneText(MAX_NAME), rateLimit: 2 })
  introduce(name: string): void {
    const from = this.session.remoteSender!;
    if (this.#names.has(from)) return;
    this.#names.set(from, name);
    this.events.emit('named', { peer: from, name });
    const waiting = this.#pending.get(from);
    this.#pending.delete(from);
    for (const text of waiting ?? []) this.events.emit('message', { from, name, text });
  }

  /** Remote: a line of chat from the caller. */
  @rpc({ mode: 'any', args: oneText(MAX_TEXT), rateLimit: 20 })
  say(text: string): void {
    const from = this.session.remoteSender!;
    const name = this.#names.get(from);
    if (name !== undefined) {
      this.events.emit('message', { from, name, text });
      return;
    }
    const waiting = this.#pending.get(from) ?? [];
    if (waiting.length < MAX_PENDING) waiting.push(text);
    this.#pending.set(from, waiting);
  }
}
