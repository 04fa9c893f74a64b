import type { ClassLayout } from './layout.js';
import type { NetworkObject, ObjectId } from './network-object.js';
import type { SendTable } from './send-table.js';

/** An object the local peer sends state for: its row in the {@link SendTable}. */
export class Tracked {
  /** Set when the object stops being tracked. */
  removed = false;

  constructor(
    readonly table: SendTable,
    readonly row: number,
    readonly object: NetworkObject,
    readonly layout: ClassLayout,
    readonly id: ObjectId,
  ) {}

  /** The newest version (-1: none). */
  get latest(): number {
    return this.table.latest[this.row]!;
  }

  /** Offset of the newest version's values in the table's `ints` / `refs`. */
  newest(): number {
    return this.table.newest(this.row);
  }
}
