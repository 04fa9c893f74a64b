// Whatever arrives through signaling, the transport reports it and carries on: malformed
// payloads, SDP and candidates become `error` events (never a crash, never a thrown callback),
// and links that cannot come up fail with a clear error.
import { type BadPacketError, MeshplayError, type TransportError } from '@meshplay/core';
import type { SignalingRoom } from '@meshplay/signaling';
import { afterAll, describe, expect, it } from 'vitest';
import { WebRtcTransport } from '../src/index.js';
import { LOOPBACK, Pool, waitFor } from './helpers.js';

const pool = new Pool();
const rooms: SignalingRoom[] = [];
afterAll(async () => {
  await pool.closeAll();
  await Promise.all(rooms.map((r) => r.leave()));
});

function errorsOf(transport: WebRtcTransport) {
  const errors: { peer: string | undefined; error: Error }[] = [];
  transport.events.on('error', ({ peer, error }) => errors.push({ peer, error }));
  return errors;
}

/** A bare signaling member (no WebRTC behind it) that can say anything. */
async function impostor(room: string): Promise<SignalingRoom> {
  const joined = await pool.hub.adapter().join(room);
  rooms.push(joined);
  return joined;
}

describe('malformed input from signaling', () => {
  it('refuses payloads of the wrong shape with E_BAD_PACKET error events naming the sender', async () => {
    const a = await pool.join('shapes');
    const errors = errorsOf(a);
    const evil = await impostor('shapes');
    const payloads: unknown[] = [
      42,
      null,
      'offer',
      { t: 'nope', n: 1 },
      { t: 'sdp', type: 'offer', sdp: 'v=0' }, // no attempt number
      { t: 'sdp', n: -1, type: 'offer', sdp: 'v=0' },
      { t: 'sdp', n: 1, type: 'pranswer', sdp: 'v=0' },
      { t: 'sdp', n: 1, type: 'offer', sdp: 123 },
      { t: 'sdp', n: 1, type: 'offer', sdp: 'x'.repeat(70 * 1024) },
      { t: 'ice', n: 1, candidate: 5, mid: '0' },
      { t: 'ice', n: 1, candidate: 'candidate:1 1 UDP 1 127.0.0.1 1 typ host', mid: 'x'.repeat(100) },
    ];
    for (const payload of payloads) evil.send(a.localId, payload);
    await waitFor(() => errors.length >= payloads.length, 5000, 'an error per payload');
    expect(errors).toHaveLength(payloads.length);
    for (const { peer, error } of errors) {
      expect(peer).toBe(evil.selfId);
      expect((error as BadPacketError).code).toBe('E_BAD_PACKET');
    }
  });

  it('a garbage SDP fails that link at once with an error event; the transport keeps working', async () => {
    const a = await pool.join('bad-sdp');
    const errors = errorsOf(a);
    const evil = await impostor('bad-sdp');
    // Whichever side offers by the id rule, answer or offer with garbage.
    const aOffers = a.localId < evil.selfId;
    if (aOffers) await new Promise<void>((resolve) => evil.events.on('signal', () => resolve()));
    evil.send(a.localId, {
      t: 'sdp',
      n: 1,
      type: aOffers ? 'answer' : 'offer',
      sdp: 'v=0\r\nthis is not SDP\r\n',
    });
    await waitFor(() => errors.length > 0, 5000, 'the error');
    expect(errors[0]?.peer).toBe(evil.selfId);
    expect(errors[0]?.error.message).toMatch(/sent an SDP (offer|answer) the WebRTC stack refused/);
    await waitFor(() => a.connectionState(evil.selfId) === undefined, 2000, 'the failed link to go');
    // A real peer still connects and talks.
    const b = await pool.join('bad-sdp');
    await a.waitForPeer(b.localId);
    expect(a.peers()).toEqual([b.localId]);
  });

  it('an SDP of the wrong kind (an offer to the offerer, a second offer) is refused without touching the link', async () => {
    const [a, b] = await pool.group('wrong-kind', 2);
    const errors = errorsOf(a!);
    // b's identity says it (through b's own room): the link a–b is up and must stay up.
    const asB = pool.signalingOf(b!);
    asB.send(a!.localId, { t: 'sdp', n: 1, type: 'offer', sdp: 'v=0' });
    asB.send(a!.localId, { t: 'sdp', n: 1, type: 'answer', sdp: 'v=0' });
    await waitFor(() => errors.length === 2, 5000, 'two errors');
    for (const { error } of errors) expect(error.message).toMatch(/unexpected SDP (offer|answer)/);
    expect(a!.peers()).toEqual([b!.localId]);
  });

  it('a malformed candidate is an error event; the link lives on (candidates with a= are fine)', async () => {
    const [a, b] = await pool.group('bad-candidates', 2);
    const errors = errorsOf(a!);
    const asB = pool.signalingOf(b!);
    asB.send(a!.localId, { t: 'ice', n: 1, candidate: 'candidate:garbage', mid: '0' });
    asB.send(a!.localId, {
      t: 'ice',
      n: 1,
      candidate: 'a=candidate:9 1 UDP 2114977791 127.0.0.1 9 typ host',
      mid: '0',
    });
    asB.send(a!.localId, { t: 'ice', n: 1, candidate: '', mid: '0' }); // end-of-candidates
    await waitFor(() => errors.length > 0, 5000, 'the error');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error.message).toMatch(/ICE candidate the WebRTC stack refused/);
    const got: number[] = [];
    b!.events.on('message', ({ data }) => got.push(data[0]!));
    a!.send(b!.localId, 0, new Uint8Array([5]));
    await waitFor(() => got.length === 1, 5000, 'a datagram after the bad candidate');
  });
});

describe('links that cannot come up', () => {
  it('times out with a clear E_TIMEOUT error, and waitForPeer rejects with it', async () => {
    const a = await WebRtcTransport.join(pool.hub.adapter(), 'silent', {
      topology: 'mesh',
      ...LOOPBACK,
      connectTimeoutMs: 400,
      connectAttempts: 2,
    });
    const errors = errorsOf(a);
    const silent = await impostor('silent');
    const waited = a.waitForPeer(silent.selfId, 5000).catch((e: unknown) => e);
    await waitFor(() => errors.length > 0, 5000, 'the timeout');
    const error = errors[0]!.error as TransportError;
    expect(error).toBeInstanceOf(MeshplayError);
    expect(error.code).toBe('E_TIMEOUT');
    expect(error.message).toMatch(
      // The offerer retried once first; an answerer (no offer ever came) reports its only attempt.
      new RegExp(`could not connect to ${silent.selfId} within 400 ms( \\(attempt 2 of 2\\))? \\(connection`),
    );
    expect(await waited).toBe(error);
    expect(a.connectionState(silent.selfId)).toBeUndefined();
    await a.close();
  });

  it('a star client refuses offers from anyone but the host', async () => {
    const [host, client] = await pool.group('star-refuse', 2, { topology: 'star' });
    expect(host!.isHost).toBe(true);
    expect(client!.isHost).toBe(false);
    expect(client!.hostId).toBe(host!.localId);
    const errors = errorsOf(client!);
    const other = await impostor('star-refuse');
    other.send(client!.localId, { t: 'sdp', n: 1, type: 'offer', sdp: 'v=0' });
    await waitFor(() => errors.length > 0, 5000, 'the refusal');
    expect((errors[0]!.error as TransportError).code).toBe('E_REFUSED');
    expect(client!.connectionState(other.selfId)).toBeUndefined();
    // The host, meanwhile, tries to link to the newcomer (it would time out: it is an impostor).
    expect(host!.connectionState(other.selfId)).toBeDefined();
  });
});
