import { decode as decodeMsgpack, encode as encodeMsgpack } from '@msgpack/msgpack';
import { BadPacketError, ConfigError } from '../errors.js';
import type { BitReader, BitWriter } from './bits.js';
import type { FieldType, Quantize } from './field-types.js';

const TURN = Math.PI * 2;
/** Exp-Golomb order for unbounded integers sent whole (full states are rare; deltas adapt per packet). */
const FULL_K = 8;

/**
 * How one field travels. Every field can be written and read whole; {@link IntCodec} fields are
 * also kept as integers so that `always` updates can be sent as small deltas.
 */
export interface ValueCodec {
  readonly kind: 'value';
  /** Writes a whole value. */
  write(w: BitWriter, value: unknown): void;
  /** Reads a whole value; throws `BadPacketError` on malformed input. */
  read(r: BitReader): unknown;
  /** Whether two values look the same on the wire (so nothing needs to be sent). */
  equals(a: unknown, b: unknown): boolean;
  /** The value a receiver will end up with. */
  normalize(value: unknown): unknown;
  /** Two-valued (bool): a change against a known baseline needs no bits, it is the other value. */
  readonly toggles?: boolean;
}

/**
 * The arithmetic of an integer codec's `toInt`, as plain numbers, so hot loops can quantise
 * without a call: `int` clamp(round(v·scale), min, max); `range` round((clamp(v, min, max) −
 * min)·scale); `angle` round(v·scale) modulo max + 1.
 */
export interface Quantizer {
  readonly kind: 'int' | 'range' | 'angle';
  readonly scale: number;
  readonly min: number;
  readonly max: number;
}

/** A numeric field carried as an integer (quantised, clamped, or wrapped). */
export interface IntCodec {
  readonly kind: 'int';
  readonly quantizer: Quantizer;
  /** `angle`: deltas wrap and interpolation takes the shortest arc. */
  readonly wraps: boolean;
  /** Number of integer steps in a full turn, for `angle` fields (else 0). */
  readonly modulus: number;
  /** The integer that represents `value` on the wire. */
  toInt(value: number): number;
  /** The number an integer stands for. */
  fromInt(int: number): number;
  /** The signed integer change from `from` to `to` (the shortest way round for angles). */
  delta(from: number, to: number): number;
  /** `from` moved by `delta`. */
  apply(from: number, delta: number): number;
  /** Writes an integer whole. */
  writeInt(w: BitWriter, int: number): void;
  /** Reads an integer written whole, refusing values out of range. */
  readInt(r: BitReader): number;
  write(w: BitWriter, value: unknown): void;
  read(r: BitReader): number;
  equals(a: unknown, b: unknown): boolean;
  normalize(value: unknown): number;
}

/** Any field codec. */
export type FieldCodec = ValueCodec | IntCodec;

/** Whether a changed value of this codec is implied by its baseline (bools flip). */
export function isToggle(codec: FieldCodec): boolean {
  return codec.kind === 'value' && codec.toggles === true;
}

const plainDelta = (from: number, to: number) => to - from;
const plainApply = (from: number, delta: number) => from + delta;

function intCodec(parts: {
  quantizer: Quantizer;
  toInt(value: number): number;
  fromInt(int: number): number;
  writeInt(w: BitWriter, int: number): void;
  readInt(r: BitReader): number;
  modulus?: number;
}): IntCodec {
  const modulus = parts.modulus ?? 0;
  const half = modulus / 2;
  const codec: IntCodec = {
    kind: 'int',
    wraps: modulus > 0,
    modulus,
    quantizer: parts.quantizer,
    // Anything that is not a finite number travels as 0.
    toInt: (value) => parts.toInt(toNumber(value)),
    fromInt: parts.fromInt,
    delta:
      modulus > 0
        ? (from, to) => {
            let d = (to - from) % modulus;
            if (d >= half) d -= modulus;
            else if (d < -half) d += modulus;
            return d + 0;
          }
        : plainDelta,
    apply:
      modulus > 0
        ? (from, delta) => {
            const v = (from + delta) % modulus;
            return v < 0 ? v + modulus : v + 0;
          }
        : plainApply,
    writeInt: parts.writeInt,
    readInt: parts.readInt,
    write: (w, value) => parts.writeInt(w, codec.toInt(value as number)),
    read: (r) => parts.fromInt(parts.readInt(r)),
    equals: (a, b) => codec.toInt(a as number) === codec.toInt(b as number),
    normalize: (value) => parts.fromInt(codec.toInt(value as number)),
  };
  return codec;
}

function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function fixedInt(min: number, max: number): IntCodec {
  const bits = Math.ceil(Math.log2(max - min + 1));
  return intCodec({
    quantizer: { kind: 'int', scale: 1, min, max },
    toInt: (v) => Math.min(max, Math.max(min, Math.round(v))) + 0,
    fromInt: (i) => i,
    writeInt: (w, i) => w.writeBits(i - min, bits),
    readInt: (r) => {
      const i = r.readBits(bits) + min;
      if (i > max) throw new BadPacketError(`integer ${i} above ${max}`);
      return i;
    },
  });
}

const MAX_VARINT = 2 ** 51;

function unboundedInt(scale: number, fromInt: (i: number) => number): IntCodec {
  return intCodec({
    quantizer: { kind: 'int', scale, min: -MAX_VARINT, max: MAX_VARINT },
    toInt: (v) => Math.max(-MAX_VARINT, Math.min(MAX_VARINT, Math.round(v * scale))) + 0,
    fromInt,
    writeInt: (w, i) => w.writeSignedExpGolomb(i, FULL_K),
    readInt: (r) => {
      const i = r.readSignedExpGolomb(FULL_K);
      if (Math.abs(i) > MAX_VARINT) throw new BadPacketError('integer out of range');
      return i;
    },
  });
}

function quantized(base: FieldType, quantize: Quantize): IntCodec {
  if (base === 'angle') {
    const bits = 'bits' in quantize && !('min' in quantize) ? quantize.bits : undefined;
    if (bits === undefined || !Number.isInteger(bits) || bits < 2 || bits > 31) {
      throw new ConfigError('an angle is quantised with { bits } (2–31): the steps in a full turn');
    }
    return angleCodec(bits);
  }
  if ('step' in quantize) {
    const step = quantize.step;
    if (!(step > 0)) throw new ConfigError('quantize.step must be positive');
    return unboundedInt(1 / step, (i) => i * step);
  }
  if ('min' in quantize) {
    const { min, max, bits } = quantize;
    if (!(max > min) || !Number.isInteger(bits) || bits < 1 || bits > 32) {
      throw new ConfigError('quantize { min, max, bits } needs max > min and 1–32 bits');
    }
    const top = 2 ** bits - 1;
    const scale = top / (max - min);
    return intCodec({
      quantizer: { kind: 'range', scale, min, max },
      toInt: (v) => Math.round((Math.min(max, Math.max(min, v)) - min) * scale) + 0,
      fromInt: (i) => min + i / scale,
      writeInt: (w, i) => w.writeBits(i, bits),
      readInt: (r) => r.readBits(bits),
    });
  }
  throw new ConfigError('quantize takes { step } or { min, max, bits } (or { bits } for angles)');
}

function angleCodec(bits: number): IntCodec {
  const modulus = 2 ** bits;
  const perRadian = modulus / TURN;
  return intCodec({
    modulus,
    quantizer: { kind: 'angle', scale: perRadian, min: 0, max: modulus - 1 },
    toInt: (v) => {
      const i = Math.round(v * perRadian) % modulus;
      return i < 0 ? i + modulus : i + 0;
    },
    // Radians in [-π, π).
    fromInt: (i) => (i >= modulus / 2 ? i - modulus : i) / perRadian,
    writeInt: (w, i) => w.writeBits(i, bits),
    readInt: (r) => r.readBits(bits),
  });
}

function valueCodec(
  parts: Omit<ValueCodec, 'kind' | 'equals' | 'normalize'> & Partial<ValueCodec>,
): ValueCodec {
  return {
    kind: 'value',
    equals: (a, b) => Object.is(a, b),
    normalize: (v) => v,
    ...parts,
  };
}

const boolCodec = valueCodec({
  toggles: true,
  write: (w, v) => w.writeBool(Boolean(v)),
  read: (r) => r.readBool(),
  normalize: (v) => Boolean(v),
  equals: (a, b) => Boolean(a) === Boolean(b),
});

const float32Codec = valueCodec({
  write: (w, v) => w.writeFloat32(toNumber(v)),
  read: (r) => r.readFloat32(),
  normalize: (v) => Math.fround(toNumber(v)),
  equals: (a, b) => Object.is(Math.fround(toNumber(a)), Math.fround(toNumber(b))),
});

const float64Codec = valueCodec({
  write: (w, v) => w.writeFloat64(toNumber(v)),
  read: (r) => r.readFloat64(),
  normalize: (v) => toNumber(v),
  equals: (a, b) => Object.is(toNumber(a), toNumber(b)),
});

const stringCodec = valueCodec({
  write: (w, v) => w.writeString(String(v ?? '')),
  read: (r) => r.readString(),
  normalize: (v) => String(v ?? ''),
});

const bytesCodec = valueCodec({
  write: (w, v) => w.writeBytes(v instanceof Uint8Array ? v : new Uint8Array()),
  read: (r) => r.readBytes(),
  equals: (a, b) => a instanceof Uint8Array && b instanceof Uint8Array && bytesEqual(a, b),
  normalize: (v) => (v instanceof Uint8Array ? v : new Uint8Array()),
});

const anyCodec = valueCodec({
  write: (w, v) => w.writeBytes(encodeMsgpack(v)),
  read: (r) => {
    try {
      return decodeMsgpack(r.readBytes());
    } catch (error) {
      if (error instanceof BadPacketError) throw error;
      throw new BadPacketError('undecodable MessagePack value', { cause: error });
    }
  },
  equals: (a, b) => Object.is(a, b) || deepEqual(a, b),
});

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return bytesEqual(a, b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => deepEqual((a as any)[key], (b as any)[key]));
  }
  return false;
}

function arrayCodec(element: FieldCodec, maxLength: number): ValueCodec {
  return valueCodec({
    write: (w, v) => {
      const items = Array.isArray(v) ? v.slice(0, maxLength) : [];
      w.writeVarint(items.length);
      for (const item of items) element.write(w, item);
    },
    read: (r) => {
      const length = r.readVarint();
      if (length > maxLength) throw new BadPacketError(`array of ${length} exceeds ${maxLength}`);
      const out = new Array(length);
      for (let i = 0; i < length; i++) out[i] = element.read(r);
      return out;
    },
    equals: (a, b) => {
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return a === b;
      return a.every((item, i) => element.equals(item, b[i]));
    },
    normalize: (v) => (Array.isArray(v) ? v.slice(0, maxLength).map((item) => element.normalize(item)) : []),
  });
}

function recordCodec(fields: readonly (readonly [string, FieldCodec])[]): ValueCodec {
  const get = (v: unknown, key: string) => (v && typeof v === 'object' ? (v as any)[key] : undefined);
  return valueCodec({
    write: (w, v) => {
      for (const [key, codec] of fields) codec.write(w, get(v, key));
    },
    read: (r) => {
      const out: Record<string, unknown> = {};
      for (const [key, codec] of fields) out[key] = codec.read(r);
      return out;
    },
    equals: (a, b) => a === b || fields.every(([key, codec]) => codec.equals(get(a, key), get(b, key))),
    normalize: (v) => Object.fromEntries(fields.map(([key, codec]) => [key, codec.normalize(get(v, key))])),
  });
}

/** Builds the codec of a field from its declared type and quantisation. */
export function codecFor(type: FieldType | undefined, quantize?: Quantize): FieldCodec {
  const base = type ?? (quantize ? 'float64' : 'any');
  if (quantize) {
    if (typeof base !== 'string' || !['float32', 'float64', 'angle', 'varint'].includes(base)) {
      throw new ConfigError(
        `quantize applies to float32, float64, varint and angle fields, not ${JSON.stringify(base)}`,
      );
    }
    return quantized(base, quantize);
  }
  if (typeof base === 'object') {
    if ('array' in base) return arrayCodec(codecFor(base.array), base.maxLength ?? 64);
    if ('record' in base)
      return recordCodec(Object.entries(base.record).map(([key, t]) => [key, codecFor(t)] as const));
    throw new ConfigError('unknown field type');
  }
  switch (base) {
    case 'bool':
      return boolCodec;
    case 'int8':
      return fixedInt(-128, 127);
    case 'uint8':
      return fixedInt(0, 255);
    case 'int16':
      return fixedInt(-32768, 32767);
    case 'uint16':
      return fixedInt(0, 65535);
    case 'int32':
      return fixedInt(-2147483648, 2147483647);
    case 'uint32':
      return fixedInt(0, 4294967295);
    case 'varint':
      return unboundedInt(1, (i) => i);
    case 'float32':
      return float32Codec;
    case 'float64':
      return float64Codec;
    case 'angle':
      return angleCodec(16);
    case 'string':
      return stringCodec;
    case 'bytes':
      return bytesCodec;
    case 'any':
      return anyCodec;
    default:
      throw new ConfigError(`unknown field type ${JSON.stringify(base)}`);
  }
}
