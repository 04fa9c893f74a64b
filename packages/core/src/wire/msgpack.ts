import { Decoder, Encoder } from '@msgpack/msgpack';
import { BadPacketError } from '../errors.js';
import { decodeSmall, encodeSmall, NOT_SMALL } from './msgpack-small.js';

/** Limits on what a decoded value may contain, so a hostile peer cannot make us allocate much. */
const LIMITS = {
  maxStrLength: 64 * 1024,
  maxBinLength: 1024 * 1024,
  maxArrayLength: 4096,
  maxMapLength: 1024,
  maxExtLength: 1024,
  maxDepth: 32,
} as const;

const encoder = new Encoder({ ignoreUndefined: false });
const decoder = new Decoder(LIMITS);

/**
 * Encodes a value as MessagePack into a view of a shared buffer: copy it before the next call.
 * Values that MessagePack cannot represent (functions, symbols, cycles) throw.
 */
export function encodeShared(value: unknown): Uint8Array {
  const small = encodeSmall(value);
  return small === NOT_SMALL ? encoder.encodeSharedRef(value) : small;
}

/** Encodes a value as MessagePack into a fresh buffer. */
export function encodeValue(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/**
 * Decodes exactly one MessagePack value, the whole of `bytes` or `bytes[start, end)`; any error
 * becomes a {@link BadPacketError}.
 */
export function decodeValue(bytes: Uint8Array, start = 0, end = bytes.length): unknown {
  const small = decodeSmall(bytes, start, end);
  if (small !== NOT_SMALL) return small;
  try {
    return decoder.decode(start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end));
  } catch (error) {
    throw new BadPacketError(`malformed MessagePack value: ${(error as Error).message}`, { cause: error });
  }
}

function need(at: number, count: number, end: number): void {
  if (at + count > end) throw new BadPacketError('truncated MessagePack value');
}

function readLength(bytes: Uint8Array, at: number, size: 1 | 2 | 4): number {
  if (size === 1) return bytes[at]!;
  if (size === 2) return (bytes[at]! << 8) | bytes[at + 1]!;
  return ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!;
}

/**
 * Finds where the MessagePack value starting at `offset` ends, without decoding it, so values can
 * sit back to back in a datagram with no length prefix. Iterative (no recursion) and bounded: a
 * container announcing more items than bytes remain is refused at once.
 */
export function msgpackEnd(bytes: Uint8Array, offset: number, end = bytes.length): number {
  let at = offset;
  let pending = 1;
  while (pending > 0) {
    pending--;
    need(at, 1, end);
    const b = bytes[at]!;
    at++;
    let skip = 0;
    let children = 0;
    if (b <= 0x7f || b >= 0xe0 || b === 0xc0 || b === 0xc2 || b === 0xc3) {
      skip = 0;
    } else if (b <= 0x8f) {
      children = (b & 0x0f) * 2;
    } else if (b <= 0x9f) {
      children = b & 0x0f;
    } else if (b <= 0xbf) {
      skip = b & 0x1f;
    } else {
      switch (b) {
        case 0xc4:
        case 0xd9:
          need(at, 1, end);
          skip = 1 + readLength(bytes, at, 1);
          break;
        case 0xc5:
        case 0xda:
          need(at, 2, end);
          skip = 2 + readLength(bytes, at, 2);
          break;
        case 0xc6:
        case 0xdb:
          need(at, 4, end);
          skip = 4 + readLength(bytes, at, 4);
          break;
        case 0xc7:
          need(at, 1, end);
          skip = 2 + readLength(bytes, at, 1);
          break;
        case 0xc8:
          need(at, 2, end);
          skip = 3 + readLength(bytes, at, 2);
          break;
        case 0xc9:
          need(at, 4, end);
          skip = 5 + readLength(bytes, at, 4);
          break;
        case 0xca:
        case 0xce:
        case 0xd2:
          skip = 4;
          break;
        case 0xcb:
        case 0xcf:
        case 0xd3:
          skip = 8;
          break;
        case 0xcc:
        case 0xd0:
          skip = 1;
          break;
        case 0xcd:
        case 0xd1:
          skip = 2;
          break;
        case 0xd4:
          skip = 2;
          break;
        case 0xd5:
          skip = 3;
          break;
        case 0xd6:
          skip = 5;
          break;
        case 0xd7:
          skip = 9;
          break;
        case 0xd8:
          skip = 17;
          break;
        case 0xdc:
          need(at, 2, end);
          children = readLength(bytes, at, 2);
          skip = 2;
          break;
        case 0xdd:
          need(at, 4, end);
          children = readLength(bytes, at, 4);
          skip = 4;
          break;
        case 0xde:
          need(at, 2, end);
          children = readLength(bytes, at, 2) * 2;
          skip = 2;
          break;
        case 0xdf:
          need(at, 4, end);
          children = readLength(bytes, at, 4) * 2;
          skip = 4;
          break;
        default:
          throw new BadPacketError(`invalid MessagePack type byte 0x${b.toString(16)}`);
      }
    }
    need(at, skip, end);
    at += skip;
    pending += children;
    if (pending > end - at) throw new BadPacketError('MessagePack container larger than the datagram');
  }
  return at;
}
