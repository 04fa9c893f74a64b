import { BadPacketError } from '../errors.js';
import { PEER_ID_LENGTH } from '../ids.js';
import { FLAG_KIND_SPECIFIC, FLAG_RELAYED, FLAG_SECOND_FORM, KIND_MASK, Kind, Target } from './kinds.js';
import { msgpackEnd } from './msgpack.js';
import { ByteReader } from './reader.js';

/** One message of a datagram, framed (boundaries and header fields known) but not yet applied. */
export interface Frame {
  readonly kind: number;
  /** The first byte's high four bits. */
  readonly flags: number;
  /** Routed kinds: the target mode (see {@link Target}). */
  readonly target: number;
  /** Routed kinds with {@link FLAG_RELAYED}: index of the original sender. */
  readonly from: number;
  /** Routed kinds with Target.One/AllExcept: the peer index named. Peer/Host: the index. */
  readonly index: number;
  /** Rpc requests and Results: the request id; Ping: the stamp; Goodbye/Error/Peer-left: the code. */
  readonly number: number;
  /** Rpc: the node id. */
  readonly node: number;
  /** Rpc: the method index. */
  readonly method: number;
  /** Where the kind-specific body starts: after the routing fields (used to forward as-is). */
  readonly routedStart: number;
  /** The payload's bounds in the datagram (args, value, bytes, reason, id, plugin body). */
  readonly start: number;
  readonly end: number;
}

const ROUTED = new Set<number>([Kind.Rpc, Kind.Result, Kind.Raw]);

/** True for kinds that carry a target and may be relayed by the host. */
export function isRouted(kind: number): boolean {
  return ROUTED.has(kind);
}

/**
 * Splits a datagram into frames, checking every boundary before anything is applied: a datagram
 * with one malformed message is refused whole, so nothing a bad peer sent half-applies.
 */
export function parseDatagram(bytes: Uint8Array): Frame[] {
  if (bytes.length === 0) throw new BadPacketError('empty datagram');
  const r = new ByteReader(bytes);
  // Most datagrams carry one message: an array literal of one, not an empty array grown by push.
  const frames: Frame[] = [parseFrame(r)];
  while (r.remaining > 0) frames.push(parseFrame(r));
  return frames;
}

function parseFrame(r: ByteReader): Frame {
  const first = r.u8();
  const kind = first & KIND_MASK;
  const flags = first & 0xf0;
  let target = 0;
  let from = 0;
  let index = 0;
  let number = 0;
  let node = 0;
  let method = 0;
  if (ROUTED.has(kind)) {
    target = (flags >> 4) & 0x3;
    if (flags & FLAG_RELAYED) from = r.varint();
    if (target === Target.One || target === Target.AllExcept) index = r.varint();
  }
  const routedStart = r.offset;
  let start = r.offset;
  let end = r.offset;
  switch (kind) {
    case Kind.Hello:
    case Kind.Welcome:
    case Kind.Services: {
      const body = r.lengthPrefixed();
      start = body.byteOffset - r.bytes.byteOffset;
      end = start + body.length;
      break;
    }
    case Kind.Goodbye:
    case Kind.Error: {
      number = r.varint();
      const reason = r.lengthPrefixed();
      start = reason.byteOffset - r.bytes.byteOffset;
      end = start + reason.length;
      break;
    }
    case Kind.Peer:
      index = r.varint();
      if (flags & FLAG_SECOND_FORM) {
        number = r.varint();
      } else {
        start = r.offset;
        r.bytesView(PEER_ID_LENGTH);
        end = r.offset;
      }
      break;
    case Kind.Ping:
      number = r.varint();
      break;
    case Kind.Host:
      index = r.varint();
      break;
    case Kind.Rpc:
      if (flags & FLAG_KIND_SPECIFIC) number = r.varint();
      node = r.varint();
      method = r.u8();
      start = r.offset;
      end = msgpackEnd(r.bytes, start, r.end);
      r.offset = end;
      break;
    case Kind.Result:
      number = r.varint();
      if (flags & FLAG_KIND_SPECIFIC) node = r.varint(); // the error code
      start = r.offset;
      end = msgpackEnd(r.bytes, start, r.end);
      r.offset = end;
      break;
    case Kind.Raw: {
      const body = r.lengthPrefixed();
      start = body.byteOffset - r.bytes.byteOffset;
      end = start + body.length;
      break;
    }
    default:
      if (kind >= Kind.FirstPlugin && kind <= Kind.LastPlugin) {
        const body = r.lengthPrefixed();
        start = body.byteOffset - r.bytes.byteOffset;
        end = start + body.length;
        break;
      }
      throw new BadPacketError(`unknown message kind ${kind}`);
  }
  return { kind, flags, target, from, index, number, node, method, routedStart, start, end };
}
