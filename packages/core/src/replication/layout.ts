import type { FieldCodec, IntCodec } from './codecs.js';
import type { NetworkObject } from './network-object.js';
import { type ClassSchema, type FieldSpec, schemaOf } from './schema.js';

/** A networked object class, as the spawner registers it. */
export type NetworkClass<T extends NetworkObject = NetworkObject> = new () => T;

/**
 * The `always` fields of a class in the shape the state stream uses: slot `i` is either an
 * integer (quantised number, delta-coded) or a value (sent whole when it changes).
 */
export class ClassLayout {
  readonly schema: ClassSchema;
  /** Number of `always` fields. */
  readonly count: number;
  /** Field index (into the object's values) of each slot. */
  readonly fieldIndex: Int32Array;
  /** The integer codec of each slot, or undefined for value slots. */
  readonly ints: readonly (IntCodec | undefined)[];
  /** The codec of each slot. */
  readonly codecs: readonly FieldCodec[];
  /** Per slot: -1 for a value slot, 0 for an integer slot, the modulus for a wrapping (angle) slot. */
  readonly moduli: Float64Array;
  /** Per slot, the quantiser inlined: 0 int, 1 range, 2 angle, -1 value slot. */
  readonly qKind: Int8Array;
  readonly qScale: Float64Array;
  readonly qMin: Float64Array;
  readonly qMax: Float64Array;
  /** Whether any slot is a value slot. */
  readonly hasValues: boolean;
  /** Mask with every slot set. */
  readonly fullMask: number;
  /** Scratch space for one state (single-threaded, used and released within one call). */
  readonly scratchInts: Float64Array;
  readonly scratchRefs: unknown[] | undefined;

  constructor(
    readonly type: NetworkClass,
    /** The wire name the class was registered under. */
    readonly name: string,
  ) {
    this.schema = schemaOf(type);
    const always: readonly FieldSpec[] = this.schema.always;
    this.count = always.length;
    this.fieldIndex = Int32Array.from(always.map((f) => f.index));
    this.codecs = always.map((f) => f.codec);
    this.ints = always.map((f) => (f.codec.kind === 'int' ? f.codec : undefined));
    this.hasValues = this.ints.some((codec) => codec === undefined);
    this.moduli = Float64Array.from(this.ints, (codec) => (codec ? codec.modulus : -1));
    const kinds = { int: 0, range: 1, angle: 2 } as const;
    this.qKind = Int8Array.from(this.ints, (codec) => (codec ? kinds[codec.quantizer.kind] : -1));
    this.qScale = Float64Array.from(this.ints, (codec) => codec?.quantizer.scale ?? 0);
    this.qMin = Float64Array.from(this.ints, (codec) => codec?.quantizer.min ?? 0);
    this.qMax = Float64Array.from(this.ints, (codec) => codec?.quantizer.max ?? 0);
    this.fullMask = this.count === 32 ? -1 : (1 << this.count) - 1;
    this.scratchInts = new Float64Array(this.count);
    this.scratchRefs = this.hasValues ? new Array(this.count) : undefined;
  }
}
