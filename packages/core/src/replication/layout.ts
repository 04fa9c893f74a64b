import type { FieldCodec, IntCodec } from './codecs.js';
import type { NetworkObject } from './network-object.js';
import { type ClassSchema, type FieldSpec, schemaOf } from './schema.js';

/**
 * A slot's quantiser as capture inlines it: one object per slot, whose fields the loop reads after
 * one check, rather than one typed array per parameter, each checked at every read.
 */
export class SlotQuantizer {
  constructor(
    /** Field index (into the object's values). */
    readonly field: number,
    /** 0 int, 1 range, 2 angle, -1 value slot. */
    readonly kind: number,
    readonly scale: number,
    readonly min: number,
    readonly max: number,
  ) {}
}

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
  /** Per slot, the quantiser inlined. */
  readonly quantizers: readonly SlotQuantizer[];
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
    this.quantizers = always.map((f, s) => {
      const q = this.ints[s]?.quantizer;
      return q
        ? new SlotQuantizer(f.index, kinds[q.kind], q.scale, q.min, q.max)
        : new SlotQuantizer(f.index, -1, 0, 0, 0);
    });
    this.fullMask = this.count === 32 ? -1 : (1 << this.count) - 1;
    this.scratchInts = new Float64Array(this.count);
    this.scratchRefs = this.hasValues ? new Array(this.count) : undefined;
  }
}
