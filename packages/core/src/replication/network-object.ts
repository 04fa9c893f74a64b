import type { PeerId } from '../ids.js';
import { ReplicationError } from './errors.js';

/** A networked object's id, unique within a session (0 means "not spawned"). */
export type ObjectId = number;

/** Internal per-object state, behind a symbol so that it stays out of game code's way. */
export const CORE = Symbol('meshplay.object');

/** @internal The replication layer's view of one object. */
export interface ObjectCore {
  /** Field values by field index. */
  readonly values: unknown[];
  /** An `always` field was written since the replication last looked. */
  touched: boolean;
  /** `onChange` slots written since the last flush (bit `slot`). */
  dirty: number;
  id: ObjectId;
  owner: PeerId | undefined;
  /** Whether game code on this peer may write the fields now. */
  writable: boolean;
  /** The replication that holds the object (opaque here). */
  holder: unknown;
  /** While this peer sends the object's state: the table told of its first write after a capture. */
  sink: TouchSink | undefined;
  /** The object's row in `sink`. */
  row: number;
}

/** @internal What the `@sync` setters report writes to (the send table). */
export interface TouchSink {
  touch(row: number): void;
}

/** @internal Marks an object's `always` fields written, reporting the first write since a capture. */
export function touch(core: ObjectCore): void {
  if (core.touched) return;
  core.touched = true;
  core.sink?.touch(core.row);
}

/**
 * Base class of every networked object. Declare synchronised fields with
 * `@sync({...}) accessor field = value` and spawn instances with the replication's `spawn()`.
 * Before it is spawned an object is a plain local object: any field may be written.
 */
export abstract class NetworkObject {
  /** @internal */
  readonly [CORE]: ObjectCore = {
    values: [],
    touched: false,
    dirty: 0,
    id: 0,
    owner: undefined,
    writable: true,
    holder: undefined,
    sink: undefined,
    row: -1,
  };

  /** The session-wide id (0 until spawned). */
  get id(): ObjectId {
    return this[CORE].id;
  }

  /** The peer that owns the object (the host unless spawned with another owner or transferred). */
  get owner(): PeerId | undefined {
    return this[CORE].owner;
  }

  /** Whether game code on this peer may write the object's fields. */
  get hasAuthority(): boolean {
    return this[CORE].writable;
  }

  /** Whether the object is currently spawned in a session. */
  get isSpawned(): boolean {
    return this[CORE].id !== 0;
  }
}

/** @internal Throws the error for a write without authority. */
export function unauthorizedWrite(object: NetworkObject, field: string): never {
  throw new ReplicationError(
    'E_UNAUTHORIZED_WRITE',
    `${object.constructor.name}#${object.id}.${field}: this peer has no authority over the object`,
  );
}
