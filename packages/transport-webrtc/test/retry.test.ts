// A link that fails while being set up is retried with fresh connections (the offerer drives,
// the answerer asks), and only the end of the line is reported.
import { MemorySignalingHub } from '@meshplay/signaling';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebRtcEvents, WebRtcTransport } from '../src/index.js';
import { LOOPBACK, waitFor } from './helpers.js';
import { LossyRelay } from './lossy-relay.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.map((f) => f()));
  cleanup = [];
});

async function pairThrough(
  relay: LossyRelay,
  options: { connectTimeoutMs: number; connectAttempts: number },
) {
  const hub = new MemorySignalingHub();
  const all = { topology: 'mesh', ...LOOPBACK, ...options } as const;
  const a = await WebRtcTransport.join(relay.wrap(hub.adapter()), 'retry', all);
  const b = await WebRtcTransport.join(relay.wrap(hub.adapter()), 'retry', all);
  cleanup.push(async () => {
    await Promise.all([a.close(), b.close()]);
    relay.close();
  });
  const [offerer, answerer] = a.localId < b.localId ? [a, b] : [b, a];
  const record = (t: WebRtcTransport) => {
    const log = { errors: [] as Error[], attempts: [] as WebRtcEvents['attempt-failed'][] };
    t.events.on('error', ({ error }) => log.errors.push(error));
    t.webrtcEvents.on('attempt-failed', (event) => log.attempts.push(event));
    return log;
  };
  return { offerer, answerer, offered: record(offerer), answered: record(answerer) };
}

describe('connection attempts', () => {
  it('retries a first attempt that cannot connect and comes up on the next, without an error event', async () => {
    const relay = await LossyRelay.create(3);
    relay.loss = 1; // nothing gets through at first
    const { offerer, answerer, offered, answered } = await pairThrough(relay, {
      connectTimeoutMs: 500,
      connectAttempts: 3,
    });
    await waitFor(() => offered.attempts.length > 0, 5000, 'the first attempt to fail');
    relay.loss = 0;
    await Promise.all([
      offerer.waitForPeer(answerer.localId, 10_000),
      answerer.waitForPeer(offerer.localId, 10_000),
    ]);
    expect(offered.attempts[0]).toMatchObject({ peer: answerer.localId, attempt: 1, retrying: true });
    // Whichever side's timer ran out first: ours, or the answerer's asking for a retry.
    expect(offered.attempts[0]?.error.message).toMatch(
      /within 500 ms \(attempt 1 of 3\)|could not complete connection attempt 1/,
    );
    expect(offered.errors).toEqual([]);
    expect(answered.errors).toEqual([]);
    // The link that came up works.
    const got: number[] = [];
    answerer.events.on('message', ({ data }) => got.push(data[0]!));
    offerer.send(answerer.localId, 0, new Uint8Array([7]));
    await waitFor(() => got.length === 1, 5000, 'a datagram');
  });

  it('gives up after connectAttempts and reports the last failure once, on the offering side', async () => {
    const relay = await LossyRelay.create(4);
    relay.loss = 1;
    const { offerer, answerer, offered, answered } = await pairThrough(relay, {
      connectTimeoutMs: 400,
      connectAttempts: 2,
    });
    const waited = offerer.waitForPeer(answerer.localId, 10_000).catch((e: Error) => e);
    await waitFor(() => offered.errors.length > 0, 8000, 'the final failure');
    expect(offered.attempts.map((a) => [a.attempt, a.retrying])).toEqual([
      [1, true],
      [2, false],
    ]);
    expect(offered.errors).toHaveLength(1);
    expect(offered.errors[0]?.message).toMatch(/could not connect .* within 400 ms \(attempt 2 of 2\)/);
    expect(await waited).toBe(offered.errors[0]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(offered.errors).toHaveLength(1);
    expect(answered.errors).toEqual([]);
    expect(offerer.peers()).toEqual([]);
  });
});
