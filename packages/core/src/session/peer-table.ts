import type { PeerId } from '../ids.js';

/** What the session knows of one member (itself included). */
export interface Member {
  readonly id: PeerId;
  /** The compact index the host gave it; what the wire carries instead of the id. */
  readonly index: number;
}

/**
 * The session's members and their compact indices, both ways. The host assigns indices (itself 0,
 * then counting up, never reused within a session so a late relayed packet cannot be misread as
 * coming from a newcomer).
 */
export class PeerTable {
  readonly #byId = new Map<PeerId, Member>();
  readonly #byIndex = new Map<number, Member>();
  #next = 0;
  /** Members in index order, rebuilt after a change (every send walks it; changes are rare). */
  #sorted: readonly Member[] | undefined;

  add(id: PeerId, index: number): Member {
    const member = { id, index };
    this.#byId.set(id, member);
    this.#byIndex.set(index, member);
    if (index >= this.#next) this.#next = index + 1;
    this.#sorted = undefined;
    return member;
  }

  remove(id: PeerId): Member | undefined {
    const member = this.#byId.get(id);
    if (!member) return undefined;
    this.#byId.delete(id);
    this.#byIndex.delete(member.index);
    this.#sorted = undefined;
    return member;
  }

  byId(id: PeerId): Member | undefined {
    return this.#byId.get(id);
  }

  byIndex(index: number): Member | undefined {
    return this.#byIndex.get(index);
  }

  has(id: PeerId): boolean {
    return this.#byId.has(id);
  }

  /** The next unused index (host side). */
  allocate(): number {
    return this.#next++;
  }

  /**
   * Every member, in index order: a snapshot that later changes to the table leave alone, so a
   * caller may add or remove members while walking it.
   */
  members(): readonly Member[] {
    this.#sorted ??= [...this.#byIndex.values()].sort((a, b) => a.index - b.index);
    return this.#sorted;
  }

  clear(): void {
    this.#byId.clear();
    this.#byIndex.clear();
    this.#sorted = undefined;
  }

  get size(): number {
    return this.#byId.size;
  }
}
