// DTLS fingerprints are always verified: a signaling path that swaps the fingerprint in an SDP (a
// man in the middle of signaling) yields no link, only errors; the same path without the swap links.
import { MemorySignalingHub, type SignalingAdapter, type SignalPayload } from '@meshplay/signaling';
import { afterEach, describe, expect, it } from 'vitest';
import { WebRtcTransport } from '../src/index.js';
import { LOOPBACK, waitFor } from './helpers.js';

/** Flips every byte of the SDP's certificate fingerprint. */
function forgeFingerprint(payload: SignalPayload): SignalPayload {
  const message = payload as { t?: string; sdp?: string };
  if (message.t !== 'sdp' || typeof message.sdp !== 'string') return payload;
  const sdp = message.sdp.replace(
    /a=fingerprint:(\S+) ([0-9A-Fa-f:]+)/g,
    (_line, algorithm: string, hex: string) => {
      const flipped = hex
        .split(':')
        .map((byte) => (0xff ^ Number.parseInt(byte, 16)).toString(16).padStart(2, '0').toUpperCase())
        .join(':');
      return `a=fingerprint:${algorithm} ${flipped}`;
    },
  );
  expect(sdp).not.toBe(message.sdp);
  return { ...message, sdp };
}

/** An adapter whose rooms pass every outgoing payload through `rewrite`. */
function rewriting(
  adapter: SignalingAdapter,
  rewrite: (payload: SignalPayload) => SignalPayload,
): SignalingAdapter {
  return {
    join: async (room, options) => {
      const joined = await adapter.join(room, options);
      const send = joined.send.bind(joined);
      Object.defineProperty(joined, 'send', {
        value: (to: string, payload: SignalPayload) => send(to, rewrite(payload)),
      });
      return joined;
    },
  };
}

describe('DTLS fingerprint verification', () => {
  const open: WebRtcTransport[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((t) => t.close()));
  });

  async function pair(rewrite: (payload: SignalPayload) => SignalPayload) {
    const hub = new MemorySignalingHub();
    const options = { topology: 'mesh', ...LOOPBACK, connectTimeoutMs: 3000, connectAttempts: 1 } as const;
    const a = await WebRtcTransport.join(hub.adapter(), 'dtls', options);
    const b = await WebRtcTransport.join(rewriting(hub.adapter(), rewrite), 'dtls', options);
    open.push(a, b);
    const errors: string[] = [];
    for (const t of [a, b]) t.events.on('error', ({ error }) => errors.push(error.message));
    return { a, b, errors };
  }

  it('links when signaling is honest (control)', async () => {
    const { a, b } = await pair((payload) => payload);
    await waitFor(() => a.peers().length === 1 && b.peers().length === 1, 10_000, 'the honest pair to link');
  });

  it('refuses to link when one side presents a fingerprint that does not match its certificate', async () => {
    const { a, b, errors } = await pair(forgeFingerprint);
    await waitFor(() => errors.length > 0, 10_000, 'an error for the forged fingerprint');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(a.peers()).toEqual([]);
    expect(b.peers()).toEqual([]);
  });
});
