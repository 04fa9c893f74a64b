import { BadPacketError } from '@meshplay/core';

/**
 * What the transport sends through signaling, as plain JSON so every adapter can carry it.
 * `n` numbers the connection attempt between the pair (the offerer counts; the answerer echoes
 * it), so a retried attempt never mixes with leftovers of a failed one:
 *
 * - `{ t: 'sdp', n, type: 'offer' | 'answer', sdp }`
 * - `{ t: 'ice', n, candidate, mid }`: candidates travel without libdatachannel's `a=` prefix,
 *   the form browsers accept; an empty candidate marks the end of candidates
 * - `{ t: 'retry', n }`: the answerer's attempt `n` failed; the offerer may start `n + 1`
 */
export type SignalMessage =
  | { readonly t: 'sdp'; readonly n: number; readonly type: 'offer' | 'answer'; readonly sdp: string }
  | { readonly t: 'ice'; readonly n: number; readonly candidate: string; readonly mid: string }
  | { readonly t: 'retry'; readonly n: number };

/** Largest SDP accepted from signaling (real ones are under 2 KiB for data-only sessions). */
export const MAX_SDP_LENGTH = 64 * 1024;
/** Largest candidate line accepted from signaling. */
export const MAX_CANDIDATE_LENGTH = 1024;
/** Longest media id accepted. */
const MAX_MID_LENGTH = 64;

/**
 * Checks the shape of a payload from signaling and returns it typed; throws a `BadPacketError`
 * naming what is wrong. Content (is the SDP valid?) is the WebRTC stack's to judge.
 */
export function parseSignal(payload: unknown): SignalMessage {
  if (typeof payload !== 'object' || payload === null)
    throw new BadPacketError('signal payload is not an object');
  const message = payload as Record<string, unknown>;
  const n = message.n;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 0x7fffffff) {
    throw new BadPacketError(`signal attempt number ${JSON.stringify(n)} is not a positive integer`);
  }
  if (message.t === 'sdp') {
    const { type, sdp } = message;
    if (type !== 'offer' && type !== 'answer')
      throw new BadPacketError(`unknown SDP type ${JSON.stringify(type)}`);
    if (typeof sdp !== 'string' || sdp.length === 0 || sdp.length > MAX_SDP_LENGTH) {
      throw new BadPacketError('SDP missing, not a string, or too long');
    }
    return { t: 'sdp', n, type, sdp };
  }
  if (message.t === 'ice') {
    const { candidate, mid } = message;
    if (typeof candidate !== 'string' || candidate.length > MAX_CANDIDATE_LENGTH) {
      throw new BadPacketError('ICE candidate missing, not a string, or too long');
    }
    if (typeof mid !== 'string' || mid.length > MAX_MID_LENGTH) {
      throw new BadPacketError('ICE candidate mid is not a short string');
    }
    return { t: 'ice', n, candidate, mid };
  }
  if (message.t === 'retry') return { t: 'retry', n };
  throw new BadPacketError(`unknown signal message kind ${JSON.stringify(message.t)}`);
}
