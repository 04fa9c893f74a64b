// Each channel kind's delivery semantics between two real node-datachannel peers. Loopback never
// loses or reorders, so the link runs through a LossyRelay: first it only reorders (20% of
// packets swapped with the next), then it only loses (20% of packets).
import { MemorySignalingHub } from '@meshplay/signaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebRtcTransport } from '../src/index.js';
import { LOOPBACK, numbered, seqOf, waitFor } from './helpers.js';
import { LossyRelay } from './lossy-relay.js';

const REORDERED = 150;
const LOSSY = 300;
const USER_CHANNELS = [
  { ordered: false, label: 'reliable-unordered' },
  { ordered: true, maxPacketLifeTime: 1, label: 'lifetime-1ms' },
  { ordered: false, maxRetransmits: 1, label: 'retransmit-once' },
  { ordered: true, protocol: 'chat', label: 'reliable-with-protocol' },
];
const CHANNELS = 3 + USER_CHANNELS.length;
const RELIABLE = [0, 3, 6];

function inversions(seqs: readonly number[]): number {
  let count = 0;
  for (let i = 1; i < seqs.length; i++) if ((seqs[i] as number) < (seqs[i - 1] as number)) count++;
  return count;
}

const range = (n: number) => [...Array(n).keys()];
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('channel semantics', () => {
  let relay: LossyRelay;
  let a: WebRtcTransport;
  let b: WebRtcTransport;
  const phases = {
    reordered: range(CHANNELS).map((): number[] => []),
    lossy: range(CHANNELS).map((): number[] => []),
  };
  let phase: keyof typeof phases = 'reordered';

  beforeAll(async () => {
    relay = await LossyRelay.create(7);
    const hub = new MemorySignalingHub();
    // Frequent heartbeats: the RTT check needs a pong through the lossy phase.
    const options = {
      topology: 'mesh',
      channels: USER_CHANNELS,
      ...LOOPBACK,
      heartbeatIntervalMs: 100,
      heartbeatTimeoutMs: 3000,
    } as const;
    a = await WebRtcTransport.join(relay.wrap(hub.adapter()), 'semantics', options);
    b = await WebRtcTransport.join(relay.wrap(hub.adapter()), 'semantics', options);
    await Promise.all([a.waitForPeer(b.localId), b.waitForPeer(a.localId)]);
    b.events.on('message', ({ channel, data }) => phases[phase][channel]?.push(seqOf(data)));

    // Reordering, one channel at a time so that consecutive packets carry consecutive datagrams
    // of that channel: a swapped pair arrives one packet late, before SCTP could give it up.
    relay.reorder = 0.2;
    for (let channel = 0; channel < CHANNELS; channel++) {
      for (let seq = 0; seq < REORDERED; seq++) {
        a.send(b.localId, channel, numbered(seq, 64));
        await pause(1);
      }
    }
    await waitFor(
      () => RELIABLE.every((c) => phases.reordered[c]!.length >= REORDERED),
      20_000,
      'reordered phase',
    );
    await pause(200);
    relay.reorder = 0;

    // Loss, every channel at once, paced so that nothing is dropped by backpressure: every loss
    // below is the network's, and every recovery the channel's own.
    phase = 'lossy';
    relay.loss = 0.2;
    for (let seq = 0; seq < LOSSY; seq++) {
      for (let channel = 0; channel < CHANNELS; channel++) a.send(b.localId, channel, numbered(seq, 64));
      await pause(2);
    }
    await waitFor(() => RELIABLE.every((c) => phases.lossy[c]!.length >= LOSSY), 20_000, 'lossy phase');
    await pause(300); // stragglers on the unreliable ones
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    relay?.close();
  });

  const reordered = (channel: number) => phases.reordered[channel]!;
  const lossy = (channel: number) => phases.lossy[channel]!;

  it('the relay really reordered and lost packets; the sender dropped nothing', () => {
    expect(relay.swapped).toBeGreaterThan(50);
    expect(relay.dropped).toBeGreaterThan(100);
    expect(a.stats(b.localId)?.dropped).toBe(0);
  });

  it('reliable (0): everything, once, in order', () => {
    expect(reordered(0)).toEqual(range(REORDERED));
    expect(lossy(0)).toEqual(range(LOSSY));
  });

  it('unreliable-ordered (1): never reorders; loses what the network lost (no retransmission)', () => {
    expect(inversions(reordered(1))).toBe(0);
    expect(inversions(lossy(1))).toBe(0);
    expect(lossy(1).length).toBeLessThan(LOSSY * 0.95);
    expect(lossy(1).length).toBeGreaterThan(LOSSY * 0.3);
    expect(new Set(lossy(1)).size).toBe(lossy(1).length);
  });

  it('unreliable (2): delivers in arrival order (reordered); loses; never duplicates', () => {
    expect(inversions(reordered(2))).toBeGreaterThan(0);
    expect(lossy(2).length).toBeLessThan(LOSSY * 0.95);
    expect(lossy(2).length).toBeGreaterThan(LOSSY * 0.3);
    expect(new Set(lossy(2)).size).toBe(lossy(2).length);
  });

  it('user channel { ordered: false }: everything, once, in arrival order', () => {
    expect(inversions(reordered(3))).toBeGreaterThan(0);
    expect([...reordered(3)].sort((x, y) => x - y)).toEqual(range(REORDERED));
    expect([...lossy(3)].sort((x, y) => x - y)).toEqual(range(LOSSY));
  });

  it('user channel { ordered: true, maxPacketLifeTime: 1 }: stays in order, gives up on late packets', () => {
    expect(inversions(reordered(4))).toBe(0);
    expect(inversions(lossy(4))).toBe(0);
    expect(lossy(4).length).toBeLessThan(LOSSY);
  });

  it('user channel { ordered: false, maxRetransmits: 1 }: arrival order; recovers most losses but not all', () => {
    expect(inversions(reordered(5))).toBeGreaterThan(0);
    expect(lossy(5).length).toBeLessThan(LOSSY);
    expect(lossy(5).length).toBeGreaterThan(lossy(2).length);
    expect(new Set(lossy(5)).size).toBe(lossy(5).length);
  });

  it('user channel { ordered: true, protocol }: reliable and ordered', () => {
    expect(reordered(6)).toEqual(range(REORDERED));
    expect(lossy(6)).toEqual(range(LOSSY));
  });

  it('counts datagrams and bytes per channel on both ends, and measures RTT', () => {
    const sent = a.stats(b.localId)!;
    const got = b.stats(a.localId)!;
    const total = REORDERED + LOSSY;
    expect(sent.channels?.[0]).toMatchObject({ messagesSent: total, bytesSent: total * 64 });
    expect(got.channels?.[0]).toMatchObject({ messagesReceived: total, bytesReceived: total * 64 });
    expect(got.channels?.[2]?.messagesReceived).toBe(reordered(2).length + lossy(2).length);
    expect(sent.messagesSent).toBe(total * CHANNELS);
    expect(sent.rttMs).toBeGreaterThan(0);
  });
});
