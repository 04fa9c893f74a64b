// The shapes most RPC arguments and results take (a number, a short ASCII string, a flat array of
// a few such values) encoded and decoded without the general MessagePack codec: the bytes are the
// codec's own (the tests compare both on random values), at a fraction of the cost per call. Any
// other value returns NOT_SMALL and the caller uses the general codec.

/** What the fast paths return for a value (or bytes) they do not handle. */
export const NOT_SMALL: unique symbol = Symbol('meshplay.notSmall');

/** Longest flat array the fast paths handle (a MessagePack fixarray). */
const MAX_ITEMS = 15;
/** Longest string the fast paths handle (a MessagePack fixstr). */
const MAX_CHARS = 31;

const scratch = new Uint8Array(MAX_ITEMS * 9 + 1);
const view = new DataView(scratch.buffer);

/**
 * Encodes `value` into a shared buffer (valid until the next call) if it is small: a number,
 * boolean, null, undefined, a string of at most 31 ASCII characters, or an array of at most 15
 * such scalars. Otherwise returns {@link NOT_SMALL}.
 */
export function encodeSmall(value: unknown): Uint8Array | typeof NOT_SMALL {
  if (Array.isArray(value)) {
    const count = value.length;
    if (count > MAX_ITEMS) return NOT_SMALL;
    scratch[0] = 0x90 | count;
    let at = 1;
    for (let i = 0; i < count; i++) {
      at = writeScalar(value[i], at);
      if (at < 0) return NOT_SMALL;
    }
    return scratch.subarray(0, at);
  }
  const end = writeScalar(value, 0);
  return end < 0 ? NOT_SMALL : scratch.subarray(0, end);
}

/** Writes one scalar at `at`; returns where it ends, or -1 if it is not a small scalar. */
function writeScalar(value: unknown, at: number): number {
  switch (typeof value) {
    case 'number':
      return writeNumber(value, at);
    case 'boolean':
      scratch[at] = value ? 0xc3 : 0xc2;
      return at + 1;
    case 'string':
      return writeAscii(value, at);
    case 'undefined':
      scratch[at] = 0xc0;
      return at + 1;
    default:
      if (value !== null) return -1;
      scratch[at] = 0xc0;
      return at + 1;
  }
}

/** Integers in the smallest form that holds them (as the general encoder does), others as float64. */
function writeNumber(n: number, at: number): number {
  if (!Number.isSafeInteger(n)) {
    scratch[at] = 0xcb;
    view.setFloat64(at + 1, n);
    return at + 9;
  }
  if (n >= 0) {
    if (n < 0x80) {
      scratch[at] = n;
      return at + 1;
    }
    if (n < 0x100) {
      scratch[at] = 0xcc;
      scratch[at + 1] = n;
      return at + 2;
    }
    if (n < 0x10000) {
      scratch[at] = 0xcd;
      view.setUint16(at + 1, n);
      return at + 3;
    }
    if (n < 0x100000000) {
      scratch[at] = 0xce;
      view.setUint32(at + 1, n);
      return at + 5;
    }
    return -1;
  }
  if (n >= -0x20) {
    scratch[at] = 0xe0 | (n + 0x20);
    return at + 1;
  }
  if (n >= -0x80) {
    scratch[at] = 0xd0;
    view.setInt8(at + 1, n);
    return at + 2;
  }
  if (n >= -0x8000) {
    scratch[at] = 0xd1;
    view.setInt16(at + 1, n);
    return at + 3;
  }
  if (n >= -0x80000000) {
    scratch[at] = 0xd2;
    view.setInt32(at + 1, n);
    return at + 5;
  }
  return -1;
}

function writeAscii(text: string, at: number): number {
  const length = text.length;
  if (length > MAX_CHARS) return -1;
  scratch[at] = 0xa0 | length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return -1;
    scratch[at + 1 + i] = code;
  }
  return at + 1 + length;
}

/**
 * Decodes `bytes[start, end)` if it holds exactly one small value (the shapes {@link encodeSmall} writes, any
 * integer or float width); otherwise returns {@link NOT_SMALL}, also for malformed input, which the
 * general decoder then refuses with its own error.
 */
export function decodeSmall(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
  if (start >= end) return NOT_SMALL;
  limit = end;
  const first = bytes[start]!;
  if (first >= 0x90 && first <= 0x9f) {
    const count = first & 0x0f;
    const items = new Array<unknown>(count);
    let at = start + 1;
    for (let i = 0; i < count; i++) {
      at = readScalar(bytes, at);
      if (at < 0) return NOT_SMALL;
      items[i] = decoded;
    }
    return at === end ? items : NOT_SMALL;
  }
  return readScalar(bytes, start) === end ? decoded : NOT_SMALL;
}

/** Where the value being decoded ends (a module slot, like {@link decoded}). */
let limit = 0;

/** The scalar {@link readScalar} read last (a module slot: no tuple per value). */
let decoded: unknown;

/** Reads one scalar at `at` into `decoded`; returns where it ends, or -1. */
function readScalar(bytes: Uint8Array, at: number): number {
  if (at >= limit) return -1;
  const b = bytes[at]!;
  if (b <= 0x7f) {
    decoded = b;
    return at + 1;
  }
  if (b >= 0xe0) {
    decoded = b - 0x100;
    return at + 1;
  }
  if (b >= 0xa0 && b <= 0xbf) return readAscii(bytes, at + 1, b & 0x1f);
  const size = SCALAR_BYTES[b - 0xc0] ?? -1;
  if (size < 0 || at + 1 + size > limit) return -1;
  // Numbers are read from a copy in a shared buffer: no DataView per value.
  for (let i = 0; i < size; i++) number[i] = bytes[at + 1 + i]!;
  const v = numberView;
  switch (b) {
    case 0xc0:
      decoded = null;
      break;
    case 0xc2:
      decoded = false;
      break;
    case 0xc3:
      decoded = true;
      break;
    case 0xca:
      decoded = v.getFloat32(0);
      break;
    case 0xcb:
      decoded = v.getFloat64(0);
      break;
    case 0xcc:
      decoded = v.getUint8(0);
      break;
    case 0xcd:
      decoded = v.getUint16(0);
      break;
    case 0xce:
      decoded = v.getUint32(0);
      break;
    case 0xd0:
      decoded = v.getInt8(0);
      break;
    case 0xd1:
      decoded = v.getInt16(0);
      break;
    default:
      decoded = v.getInt32(0);
  }
  return at + 1 + size;
}

const number = new Uint8Array(8);
const numberView = new DataView(number.buffer);

/** Payload bytes of the scalar type bytes 0xc0…0xd2 handled here (-1: not handled). */
const SCALAR_BYTES: readonly number[] = [
  0, // c0 nil
  -1, // c1 never used
  0, // c2 false
  0, // c3 true
  -1,
  -1,
  -1,
  -1,
  -1,
  -1, // c4–c9 bin, ext
  4, // ca float32
  8, // cb float64
  1, // cc uint8
  2, // cd uint16
  4, // ce uint32
  -1, // cf uint64
  1, // d0 int8
  2, // d1 int16
  4, // d2 int32
];

function readAscii(bytes: Uint8Array, start: number, length: number): number {
  const end = start + length;
  if (end > limit) return -1;
  let text = '';
  for (let i = start; i < end; i++) {
    const code = bytes[i]!;
    if (code > 0x7f) return -1;
    text += String.fromCharCode(code);
  }
  decoded = text;
  return end;
}
