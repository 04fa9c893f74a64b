/** A scalar field type of `@sync`. `angle` is a number in radians that wraps around a full turn. */
export type ScalarType =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'varint'
  | 'float32'
  | 'float64'
  | 'angle'
  | 'string'
  | 'bytes'
  /** Any MessagePack-encodable value (the default when no type is given and nothing is quantised). */
  | 'any';

/** An array of up to `maxLength` (default 64) values of one type. */
export interface ArrayType {
  readonly array: FieldType;
  readonly maxLength?: number;
}

/** A record with fixed keys, each of its own type (keys travel in declaration order, never by name). */
export interface RecordType {
  readonly record: { readonly [key: string]: FieldType };
}

/** The type of a synchronised field: a scalar, or small arrays and records of them. */
export type FieldType = ScalarType | ArrayType | RecordType;

type NumericType =
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'varint'
  | 'float32'
  | 'float64'
  | 'angle';

/** The TypeScript type of a value of field type `T`. */
export type ValueOf<T> = T extends 'bool'
  ? boolean
  : T extends NumericType
    ? number
    : T extends 'string'
      ? string
      : T extends 'bytes'
        ? Uint8Array
        : T extends 'any'
          ? unknown
          : T extends { readonly array: infer E }
            ? readonly ValueOf<E>[]
            : T extends { readonly record: infer R }
              ? { readonly [K in keyof R]: ValueOf<R[K]> }
              : never;

/**
 * How a number is reduced to an integer before it travels: by a fixed `step` (1 mm is
 * `{ step: 0.001 }`), or by spreading `[min, max]` over `bits` bits. For `angle` fields only
 * `bits` is given: a full turn is split into 2^bits steps.
 */
export type Quantize =
  | { readonly step: number }
  | { readonly min: number; readonly max: number; readonly bits: number }
  | { readonly bits: number };

/** When a field travels. */
export type SyncMode =
  /** Every tick while it changes, unreliably, as a delta against what the receiver acknowledged. */
  | 'always'
  /** Reliably, in order, on the tick after it changed. */
  | 'onChange'
  /** Only with the spawn. */
  | 'spawn';

/** Options of `@sync`. */
export interface SyncOptions {
  /** When the field travels (default `'always'`). */
  readonly mode?: SyncMode;
  /** The wire type (default `'float64'` when quantised, `'any'` otherwise). */
  readonly type?: FieldType;
  /** Quantisation of a numeric field. */
  readonly quantize?: Quantize;
  /** Whether remote copies render interpolated between snapshots (default true for numbers sent `always`). */
  readonly interpolate?: boolean;
}

/** The value type a `@sync(options)` accessor must have. */
export type SyncValue<O extends SyncOptions> = O extends { readonly type: infer T }
  ? ValueOf<T>
  : O extends { readonly quantize: Quantize }
    ? number
    : unknown;
