import type { PeerId } from '../ids.js';

/** A partition made by `SimNetwork.partition`; pass it to `heal` to undo just this one. */
export interface PartitionHandle {
  /** The first group. */
  readonly groupA: ReadonlySet<PeerId>;
  /** The second group, or undefined for "everyone not in groupA" (endpoints made later included). */
  readonly groupB: ReadonlySet<PeerId> | undefined;
}

/**
 * The active partitions. Links cache whether they are cut, keyed by {@link epoch}, which moves on
 * every change, so the per-datagram check is one comparison.
 */
export class Partitions {
  /** Bumped whenever a partition is made or healed. */
  epoch = 0;
  readonly #active = new Set<PartitionHandle>();

  /** Number of active partitions. */
  get size(): number {
    return this.#active.size;
  }

  /** Cuts `groupA` from `groupB` (default: from everyone else). */
  add(groupA: Iterable<PeerId>, groupB?: Iterable<PeerId>): PartitionHandle {
    const handle: PartitionHandle = Object.freeze({
      groupA: new Set(groupA),
      groupB: groupB === undefined ? undefined : new Set(groupB),
    });
    this.#active.add(handle);
    this.epoch++;
    return handle;
  }

  /** Heals one partition, or all of them; returns whether anything changed. */
  remove(handle?: PartitionHandle): boolean {
    const changed = handle === undefined ? this.#active.size > 0 : this.#active.has(handle);
    if (handle === undefined) this.#active.clear();
    else this.#active.delete(handle);
    if (changed) this.epoch++;
    return changed;
  }

  /** True when some active partition separates `x` and `y`. */
  separates(x: PeerId, y: PeerId): boolean {
    for (const p of this.#active) {
      if (cuts(p, x, y) || cuts(p, y, x)) return true;
    }
    return false;
  }
}

function cuts(p: PartitionHandle, x: PeerId, y: PeerId): boolean {
  if (!p.groupA.has(x)) return false;
  return p.groupB === undefined ? !p.groupA.has(y) : p.groupB.has(y);
}
