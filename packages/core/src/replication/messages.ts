import { BadPacketError } from '../errors.js';
import { Kind } from '../wire/kinds.js';
import type { BitReader, BitWriter } from './bits.js';
import { CORE } from './network-object.js';
import type { ClassInfo } from './registry.js';
import type { Tracked } from './tracked.js';

/** The session plugin kinds the replication owns. */
export const RepKind = {
  /** Unreliable: `always` fields, deltas against acknowledged baselines. */
  State: Kind.FirstPlugin,
  /** Unreliable: acks of state packets and the count of control messages received. */
  Ack: Kind.FirstPlugin + 1,
  /** Reliable, ordered with RPCs: types, spawns, despawns, `onChange` updates, ownership. */
  Control: Kind.FirstPlugin + 2,
  /** Unreliable: prediction inputs (owner → host) and authoritative states (host → owner). */
  Input: Kind.FirstPlugin + 3,
  /** Unreliable: clock probes (client → host) and their answers. */
  Clock: Kind.FirstPlugin + 4,
} as const;

/** The operations of a Control message (its first byte). */
export const Op = {
  /** The sender's type table. */
  Types: 0,
  /** An object, whole: the receiver now gets its data from the sender. */
  Spawn: 1,
  /** The object is gone (or no longer visible to the receiver). */
  Despawn: 2,
  /** `onChange` fields that changed. */
  Update: 3,
  /** The object has a new owner. */
  Owner: 4,
  /** Star client → host: spawn this object I created (the body of a Spawn, owner = sender). */
  SpawnRequest: 5,
  /** Star client → host: despawn my object. */
  DespawnRequest: 6,
  /** Host → client: your spawn request was accepted. */
  Accepted: 7,
  /** Host → client: your request was refused (id, error code). */
  Refused: 8,
  /** Mesh: the object you claimed is not here (send no state for it). */
  Missing: 9,
} as const;

/** What a spawn carries. */
export interface SpawnBody {
  typeIndex: number;
  id: number;
  ownerIndex: number;
  /** The tick the `always` values are filed under (the delta baseline the sender will use). */
  key: number;
  /** `always` slots in wire form (integers for integer slots). */
  always: unknown[];
  onChange: unknown[];
  spawn: unknown[];
}

/** Writes a spawn body from the sender's newest version of the object. */
export function writeSpawn(
  w: BitWriter,
  info: ClassInfo,
  tracked: Tracked,
  ownerIndex: number,
  key: number,
): void {
  const { layout } = info;
  const { table } = tracked;
  const at = tracked.newest();
  w.writeVarint(table.typeIndex[tracked.row]!);
  w.writeVarint(tracked.id);
  w.writeVarint(ownerIndex);
  w.writeVarint(key);
  for (let s = 0; s < layout.count; s++) {
    const int = layout.ints[s];
    if (int) int.writeInt(w, table.ints[at + s]!);
    else layout.codecs[s]!.write(w, table.refs![at + s]);
  }
  const values = tracked.object[CORE].values;
  for (const f of layout.schema.onChange) f.codec.write(w, values[f.index]);
  for (const f of layout.schema.spawn) f.codec.write(w, values[f.index]);
}

/** Reads the head of a spawn body (type index, id, owner index, key). */
export function readSpawnHead(r: BitReader): Pick<SpawnBody, 'typeIndex' | 'id' | 'ownerIndex' | 'key'> {
  return { typeIndex: r.readVarint(), id: r.readVarint(), ownerIndex: r.readVarint(), key: r.readVarint() };
}

/** Reads the fields of a spawn body for a class whose layout is known. */
export function readSpawnFields(
  r: BitReader,
  info: ClassInfo,
): Pick<SpawnBody, 'always' | 'onChange' | 'spawn'> {
  const { layout } = info;
  const always: unknown[] = [];
  for (let s = 0; s < layout.count; s++) {
    const int = layout.ints[s];
    always.push(int ? int.readInt(r) : layout.codecs[s]!.read(r));
  }
  const onChange = layout.schema.onChange.map((f) => f.codec.read(r));
  const spawn = layout.schema.spawn.map((f) => f.codec.read(r));
  return { always, onChange, spawn };
}

/** Writes the `onChange` fields flagged in `mask`. */
export function writeUpdate(
  w: BitWriter,
  info: ClassInfo,
  id: number,
  values: readonly unknown[],
  mask: number,
): void {
  const fields = info.layout.schema.onChange;
  w.writeVarint(id);
  w.writeBits(mask >>> 0, fields.length);
  for (const f of fields) if (mask & (1 << f.slot)) f.codec.write(w, values[f.index]);
}

/** Reads an update's fields into `[field index, value]` pairs. */
export function readUpdateFields(r: BitReader, info: ClassInfo): [number, unknown][] {
  const fields = info.layout.schema.onChange;
  const mask = r.readBits(fields.length);
  const out: [number, unknown][] = [];
  for (const f of fields) if (mask & (1 << f.slot)) out.push([f.index, f.codec.read(r)]);
  if (fields.length === 0 && mask !== 0)
    throw new BadPacketError('update of a class without onChange fields');
  return out;
}
