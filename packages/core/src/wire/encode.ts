import { FLAG_KIND_SPECIFIC, FLAG_RELAYED, FLAG_SECOND_FORM, Kind, Target } from './kinds.js';
import { encodeShared } from './msgpack.js';
import type { ByteWriter } from './writer.js';

const utf8 = new TextEncoder();

/** Writes a control message whose body is one MessagePack value (Hello, Welcome, Services). */
export function writeControl(w: ByteWriter, kind: number, value: unknown): void {
  w.u8(kind);
  w.lengthPrefixed(encodeShared(value));
}

/** Writes Goodbye or Error: a wire error code and a readable reason. */
export function writeReason(w: ByteWriter, kind: number, code: number, reason: string): void {
  w.u8(kind);
  w.varint(code);
  w.lengthPrefixed(utf8.encode(reason.slice(0, 512)));
}

/** Announces that a peer joined, with its index and id. */
export function writePeerJoined(w: ByteWriter, index: number, id: string): void {
  w.u8(Kind.Peer);
  w.varint(index);
  w.bytes(utf8.encode(id));
}

/** Announces that a peer left, with the wire code of why. */
export function writePeerLeft(w: ByteWriter, index: number, code: number): void {
  w.u8(Kind.Peer | FLAG_SECOND_FORM);
  w.varint(index);
  w.varint(code);
}

/** A heartbeat ping (or, with `pong`, its echo) carrying a millisecond stamp. */
export function writePing(w: ByteWriter, stamp: number, pong: boolean): void {
  w.u8(pong ? Kind.Ping | FLAG_SECOND_FORM : Kind.Ping);
  w.varint(stamp);
}

/** Announces the host's index after an election. */
export function writeHost(w: ByteWriter, index: number): void {
  w.u8(Kind.Host);
  w.varint(index);
}

/** Routing header of a routed message. */
export interface Route {
  /** {@link Target} mode. */
  target: number;
  /** Peer index named by Target.One / AllExcept. */
  index: number;
  /** Original sender's index when a host relays, otherwise -1. */
  from: number;
}

/** The route of a message for its direct receiver. */
export const DIRECT: Route = Object.freeze({ target: Target.Direct, index: 0, from: -1 });

function writeRouteHeader(w: ByteWriter, kind: number, route: Route, extraFlags: number): void {
  const relayed = route.from >= 0 ? FLAG_RELAYED : 0;
  w.u8(kind | (route.target << 4) | relayed | extraFlags);
  if (relayed) w.varint(route.from);
  if (route.target === Target.One || route.target === Target.AllExcept) w.varint(route.index);
}

/** An RPC: optional request id, node id, method index and the args (already MessagePack). */
export function writeRpc(
  w: ByteWriter,
  route: Route,
  requestId: number,
  node: number,
  method: number,
  args: Uint8Array,
): void {
  writeRouteHeader(w, Kind.Rpc, route, requestId > 0 ? FLAG_KIND_SPECIFIC : 0);
  if (requestId > 0) w.varint(requestId);
  w.varint(node);
  w.u8(method);
  w.bytes(args);
}

/** A request's result: the value, or (with `errorCode` > 0) an error message. */
export function writeResult(
  w: ByteWriter,
  route: Route,
  requestId: number,
  errorCode: number,
  value: unknown,
): void {
  writeRouteHeader(w, Kind.Result, route, errorCode > 0 ? FLAG_KIND_SPECIFIC : 0);
  w.varint(requestId);
  if (errorCode > 0) w.varint(errorCode);
  w.bytes(encodeShared(value));
}

/** Application bytes. */
export function writeRaw(w: ByteWriter, route: Route, data: Uint8Array): void {
  writeRouteHeader(w, Kind.Raw, route, 0);
  w.lengthPrefixed(data);
}

/** Rewrites a routed message for forwarding: Direct, stamped with the sender's index. */
export function writeRelayed(
  w: ByteWriter,
  datagram: Uint8Array,
  first: number,
  fromIndex: number,
  routedStart: number,
  end: number,
): void {
  w.u8((first & 0x8f) | FLAG_RELAYED);
  w.varint(fromIndex);
  w.bytes(datagram.subarray(routedStart, end));
}

/** A plugin-owned message: kind and an opaque body. */
export function writePlugin(w: ByteWriter, kind: number, body: Uint8Array): void {
  w.u8(kind);
  w.lengthPrefixed(body);
}
