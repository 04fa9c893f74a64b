/**
 * The transport's own one-byte header, first in every datagram on every channel. The session's
 * datagram (with its own header) follows a {@link FrameKind.Data} byte untouched; everything else
 * is the transport talking to itself. Documented byte by byte in this package's README.
 */
export const FrameKind = {
  /** A whole session datagram follows. */
  Data: 0,
  /** A piece of a reliable datagram larger than the connection's max message size (see fragmenter.ts). */
  Fragment: 1,
  /** Heartbeat: f64 sender timestamp (ms). Sent on the unreliable channel. */
  Ping: 2,
  /** Heartbeat answer: the ping's f64 timestamp echoed. */
  Pong: 3,
  /**
   * The sender is closing the link. Sent on the reliable channel: u8 count, then per reliable
   * channel u16 index + u32 frames sent on it (so the receiver can wait for all of them), then the
   * UTF-8 reason.
   */
  Bye: 4,
} as const;

/** Bytes the transport adds to every datagram. */
export const FRAME_HEADER_BYTES = 1;

/** Longest `Bye` reason carried (longer ones are cut). */
export const MAX_BYE_REASON_BYTES = 200;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * A growable scratch buffer for framing outgoing datagrams. Drivers copy what they send before
 * returning, so one buffer serves every send without an allocation per message.
 */
export class FrameWriter {
  #buffer = new Uint8Array(2048);

  /** Header + payload in the scratch buffer; valid until the next call. */
  data(payload: Uint8Array): Uint8Array {
    const length = payload.length + FRAME_HEADER_BYTES;
    if (length > this.#buffer.length)
      this.#buffer = new Uint8Array(Math.max(length, this.#buffer.length * 2));
    const buffer = this.#buffer;
    buffer[0] = FrameKind.Data;
    buffer.set(payload, FRAME_HEADER_BYTES);
    return buffer.subarray(0, length);
  }
}

/** A fresh `Data` frame (for datagrams that must outlive the call: queued reliable sends). */
export function dataFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(payload.length + FRAME_HEADER_BYTES);
  frame[0] = FrameKind.Data;
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** A `Ping` or `Pong` frame carrying a timestamp. */
export function timeFrame(
  kind: typeof FrameKind.Ping | typeof FrameKind.Pong,
  timestamp: number,
): Uint8Array {
  const frame = new Uint8Array(9);
  frame[0] = kind;
  new DataView(frame.buffer).setFloat64(1, timestamp, true);
  return frame;
}

/** Reads the timestamp of a `Ping`/`Pong` frame, or undefined when the frame is malformed. */
export function readTimestamp(frame: Uint8Array): number | undefined {
  if (frame.length !== 9) return undefined;
  const value = new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getFloat64(1, true);
  return Number.isFinite(value) ? value : undefined;
}

/** What a `Bye` says: why, and how many data frames each reliable channel carried. */
export interface Bye {
  readonly reason: string;
  readonly sent: ReadonlyMap<number, number>;
}

/** A `Bye` frame. */
export function byeFrame(bye: Bye): Uint8Array {
  let reason = encoder.encode(bye.reason);
  if (reason.length > MAX_BYE_REASON_BYTES) reason = reason.subarray(0, MAX_BYE_REASON_BYTES);
  const counts = Math.min(bye.sent.size, 255);
  const frame = new Uint8Array(2 + counts * 6 + reason.length);
  const view = new DataView(frame.buffer);
  frame[0] = FrameKind.Bye;
  frame[1] = counts;
  let at = 2;
  for (const [channel, frames] of bye.sent) {
    if (at >= 2 + counts * 6) break;
    view.setUint16(at, channel, true);
    view.setUint32(at + 2, frames >>> 0, true);
    at += 6;
  }
  frame.set(reason, at);
  return frame;
}

/** Reads a `Bye` frame; undefined when it is malformed. The reason is cut to a sane length. */
export function readBye(frame: Uint8Array): Bye | undefined {
  const counts = frame[1];
  if (counts === undefined || frame.length < 2 + counts * 6) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const sent = new Map<number, number>();
  for (let i = 0; i < counts; i++) sent.set(view.getUint16(2 + i * 6, true), view.getUint32(4 + i * 6, true));
  const start = 2 + counts * 6;
  return { reason: decoder.decode(frame.subarray(start, start + MAX_BYE_REASON_BYTES)), sent };
}
