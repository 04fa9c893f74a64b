// Size and backpressure on real links: fragmentation of large reliable datagrams, bounded
// queues, and channels that do not hold each other back.
import { TransportError } from '@meshplay/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebRtcTransport } from '../src/index.js';
import { Pool, waitFor } from './helpers.js';

const pool = new Pool();
afterAll(() => pool.closeAll());

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** A datagram stamped with the sender's clock (both ends share this process's clock). */
function stamped(tag: number, size = 16): Uint8Array {
  const data = new Uint8Array(size);
  data[0] = tag;
  new DataView(data.buffer).setFloat64(1, performance.now(), true);
  return data;
}

function ageOf(data: Uint8Array): number {
  return performance.now() - new DataView(data.buffer, data.byteOffset, data.byteLength).getFloat64(1, true);
}

const yieldNow = () => new Promise((resolve) => setImmediate(resolve));

describe('size', () => {
  let a: WebRtcTransport;
  let b: WebRtcTransport;
  beforeAll(async () => {
    [a, b] = (await pool.group('size', 2, { channels: [{ ordered: false }] })) as [
      WebRtcTransport,
      WebRtcTransport,
    ];
  });

  it('takes reliable datagrams up to maxMessageBytes; unreliable ones up to the SCTP limit (256 KiB less the header)', () => {
    expect(a.maxMessageSize(b.localId)).toBe(16 * 1024 * 1024);
    expect(a.maxUnfragmentedSize(b.localId)).toBe(256 * 1024 - 1);
  });

  it('delivers a 1 MiB reliable datagram intact, and one on a reliable unordered user channel', async () => {
    const big = new Uint8Array(1024 * 1024);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) >>> 3;
    const got: { channel: number; data: Uint8Array }[] = [];
    b.events.on('message', ({ channel, data }) => got.push({ channel, data: data.slice() }));
    a.send(b.localId, 0, big);
    a.send(b.localId, 3, big.subarray(1)); // a different length on the unordered channel
    a.send(b.localId, 0, new Uint8Array([42])); // and a small one behind it: order is kept
    await waitFor(() => got.length === 3, 10_000, 'three datagrams');
    const onReliable = got.filter((m) => m.channel === 0);
    expect(onReliable.map((m) => m.data.length)).toEqual([big.length, 1]);
    expect(Buffer.compare(onReliable[0]!.data, big)).toBe(0);
    const onUnordered = got.find((m) => m.channel === 3)!;
    expect(Buffer.compare(onUnordered.data, big.subarray(1))).toBe(0);
    expect(b.stats(a.localId)?.channels?.[0]).toMatchObject({
      messagesReceived: 2,
      bytesReceived: big.length + 1,
    });
  });

  it('refuses datagrams above the limits, and bad channels, with TransportErrors', async () => {
    const tooBig = new Uint8Array(a.maxUnfragmentedSize(b.localId) + 1);
    expect(() => a.send(b.localId, 2, tooBig)).toThrow(TransportError);
    expect(() => a.send(b.localId, 2, tooBig)).toThrow(
      /exceeds the 262143-byte limit of unreliable channel 2/,
    );
    const tooBigEvenReliably = new Uint8Array(a.maxMessageSize(b.localId) + 1);
    expect(() => a.send(b.localId, 0, tooBigEvenReliably)).toThrow(
      expect.objectContaining({
        code: 'E_MESSAGE_TOO_LARGE',
        message: expect.stringMatching(/maxMessageBytes/),
      }),
    );
    expect(() => a.send(b.localId, 4, new Uint8Array(1))).toThrow(/unknown channel 4/);
    expect(() => a.send(b.localId, -1, new Uint8Array(1))).toThrow(/unknown channel/);
    // A peer that is not (or no longer) linked: dropped, never thrown.
    expect(() => a.send('no-such-peer-xxxxxxxxx', 0, new Uint8Array(1))).not.toThrow();
  });
});

describe('backpressure', () => {
  let a: WebRtcTransport;
  let b: WebRtcTransport;
  beforeAll(async () => {
    [a, b] = (await pool.group('backpressure', 2)) as [WebRtcTransport, WebRtcTransport];
    // b answers reliable pings (tag 1) on the reliable channel.
    b.events.on('message', ({ channel, data }) => {
      if (channel === 0 && data[0] === 1) b.send(a.localId, 0, data);
    });
  });

  it('an unreliable flood far above capacity does not hold reliable messages back: stale datagrams are dropped and counted', async () => {
    const rtts: number[] = [];
    let waiting = false;
    a.events.on('message', ({ channel, data }) => {
      if (channel === 0 && data[0] === 1) {
        rtts.push(ageOf(data));
        waiting = false;
      }
    });
    const filler = new Uint8Array(1000);
    let peakQueued = 0;
    const end = performance.now() + 1500;
    while (performance.now() < end) {
      if (!waiting) {
        waiting = true;
        a.send(b.localId, 0, stamped(1));
      }
      for (let i = 0; i < 20; i++) a.send(b.localId, 2, filler);
      peakQueued = Math.max(peakQueued, a.stats(b.localId)?.channels?.[2]?.queuedBytes ?? 0);
      await yieldNow();
    }
    await waitFor(() => !waiting, 5000, 'the last reliable ping');
    const flood = a.stats(b.localId)!.channels![2]!;
    // The flood really exceeded what the link carries, and the excess was dropped here...
    expect(flood.dropped).toBeGreaterThan(flood.messagesSent);
    // ...so the stack's queue stayed at the 16 KiB threshold (plus the datagram that crossed it)...
    expect(peakQueued).toBeLessThanOrEqual(16 * 1024 + 1000);
    // ...and reliable round trips stayed short. Idle they take ~0.3 ms; with the flood ~10 ms
    // (the flood's own datagrams in the SCTP send buffer). Bounds are loose for loaded CI machines.
    expect(rtts.length).toBeGreaterThan(10);
    expect(median(rtts)).toBeLessThan(100);
    expect(Math.max(...rtts)).toBeLessThan(1000);
  });

  it('a reliable backlog of 8 MiB does not hold unreliable datagrams back for long', async () => {
    const ages: number[] = [];
    let bulk = 0;
    const chunk = new Uint8Array(64 * 1024);
    b.events.on('message', ({ channel, data }) => {
      if (channel === 2 && data[0] === 2) ages.push(ageOf(data));
      if (channel === 0 && data.length === chunk.length) bulk++;
    });
    for (let i = 0; i < 128; i++) a.send(b.localId, 0, chunk);
    expect(a.stats(b.localId)!.queuedBytes).toBeGreaterThan(4 * 1024 * 1024); // it is a real backlog
    let sent = 0;
    while (bulk < 128) {
      a.send(b.localId, 2, stamped(2));
      sent++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (sent > 2000) throw new Error('the backlog never drained');
    }
    await waitFor(() => ages.length >= sent * 0.9, 2000, 'the unreliable datagrams sent during the backlog');
    // Without the bounded hand-off to the stack they would wait behind the whole backlog (~0.3 s+).
    expect(median(ages)).toBeLessThan(100);
    expect(Math.max(...ages)).toBeLessThan(500);
  });

  it('closes gracefully: reliable data sent before disconnect() arrives, on every reliable channel, before the peer hears of it', async () => {
    const [x, y] = await pool.group('graceful', 2, { channels: [{ ordered: false }] });
    const log: string[] = [];
    let bytes = 0;
    y!.events.on('message', ({ channel, data }) => {
      bytes += data.length;
      if (data.length < 100) log.push(`${channel}:${data[0]}`);
    });
    y!.events.on('peer-disconnected', ({ reason }) => log.push(`gone:${reason}`));
    const chunk = new Uint8Array(64 * 1024);
    // The Bye travels on channel 0; the backlog on another stream, which it could overtake.
    for (let i = 0; i < 64; i++) x!.send(y!.localId, 3, chunk); // 4 MiB, mostly still queued here
    x!.send(y!.localId, 3, new Uint8Array(300 * 1024)); // fragmented
    x!.send(y!.localId, 0, new Uint8Array([1]));
    x!.send(y!.localId, 3, new Uint8Array([2]));
    expect(x!.stats(y!.localId)!.queuedBytes).toBeGreaterThan(2 * 1024 * 1024);
    x!.disconnect(y!.localId, 'done');
    await waitFor(() => log.includes('gone:done'), 10_000, 'the close');
    expect(log.slice(-1)).toEqual(['gone:done']);
    expect(new Set(log.slice(0, -1))).toEqual(new Set(['0:1', '3:2']));
    expect(bytes).toBe(64 * chunk.length + 300 * 1024 + 2);
  });

  it('drops a peer whose reliable queue passes maxQueuedBytes, telling both sides why', async () => {
    const [x, y] = await pool.group('overflow', 2, { maxQueuedBytes: 1024 * 1024 });
    const errors: Error[] = [];
    const gone: string[] = [];
    x!.events.on('error', ({ error }) => errors.push(error));
    y!.events.on('peer-disconnected', ({ reason }) => gone.push(reason));
    const chunk = new Uint8Array(64 * 1024);
    for (let i = 0; i < 64; i++) x!.send(y!.localId, 0, chunk); // 4 MiB at once
    expect(errors.map((e) => (e as TransportError).code)).toEqual(['E_TRANSPORT']);
    expect(errors[0]?.message).toMatch(/more than 1048576 bytes waiting/);
    expect(x!.peers()).toEqual([]);
    await waitFor(() => gone.length === 1, 5000, 'the peer to hear why');
    expect(gone).toEqual(['E_TRANSPORT']);
  });
});
