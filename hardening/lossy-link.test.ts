// Real loss on real WebRTC: two peer processes in their own network namespaces, each reaching the
// other only through a delaying UDP relay in the root namespace, with iptables dropping UDP packets
// at random as they arrive in each namespace (silently, as a network loses them: see netns.ts).
import { MemorySignalingHub } from '@meshplay/signaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsLab, type NetnsLink, netnsUnavailable } from './netns.ts';
import { killAll, PeerProcess } from './peers.ts';
import type { ProbeReport } from './protocol.ts';
import { DelayRelay } from './udp-relay.ts';

const unavailable = netnsUnavailable();
const required = process.env.MESHPLAY_REQUIRE_SERVICES === '1';
if (unavailable && !required) console.warn(`hardening/lossy-link: skipped, ${unavailable}`);

const LOSS = 0.1;
const DELAY_MS = 50;
const JITTER_MS = 10;
const NOISE_PER_TICK = Number(process.env.MESHPLAY_NOISE_PER_TICK ?? 4);
const NOISE_BYTES = Number(process.env.MESHPLAY_NOISE_BYTES ?? 300);
const RPCS = Number(process.env.MESHPLAY_LOSSY_RPCS ?? 100_000);
/** Longest the reliable stream may go without delivering while behind (a stall is far longer). */
const MAX_PAUSE_MS = 10_000;

describe.skipIf(unavailable !== undefined && !required)('real WebRTC through a lossy, delaying link', () => {
  let lab: NetnsLab;
  let relay: DelayRelay | undefined;
  let a: NetnsLink;
  let b: NetnsLink;
  let host: PeerProcess;
  let client: PeerProcess;

  beforeAll(async () => {
    if (unavailable)
      throw new Error(`MESHPLAY_REQUIRE_SERVICES=1 but network namespaces are unusable: ${unavailable}`);
    lab = new NetnsLab();
    a = lab.add();
    b = lab.add();
    relay = await DelayRelay.create({
      addressA: a.gateway,
      peerA: a.address,
      addressB: b.gateway,
      peerB: b.address,
      delayMs: DELAY_MS,
      jitterMs: JITTER_MS,
    });
    const hub = new MemorySignalingHub();
    const common = {
      signaling: 'ipc',
      hub,
      rewrite: relay.rewrite,
      room: 'lossy',
      topology: 'host',
    } as const;
    host = PeerProcess.start({ ...common, ns: a.ns, bindAddress: a.address });
    await host.joined;
    client = PeerProcess.start({ ...common, ns: b.ns, bindAddress: b.address });
    await client.next((r) => r.evt === 'connected', 30_000);
    await host.next((r) => r.evt === 'peer-joined', 30_000);
  }, 60_000);

  afterAll(async () => {
    await killAll();
    relay?.close();
    lab?.close();
  });

  it(`delivers ${RPCS} reliable RPCs exactly once and in order at ${LOSS * 100}% loss, ${DELAY_MS} ms delay`, async () => {
    lab.setLoss(a, LOSS);
    lab.setLoss(b, LOSS);
    const started = performance.now();
    // Paced like a game sending inputs: 40 RPCs every 10 ms (about 3,500/s offered, timers being late).
    client.send({ cmd: 'stream', count: RPCS, perTick: 40, tickMs: 10 });
    let last: ProbeReport;
    for (;;) {
      last = await host.probe();
      if (last.received >= RPCS || performance.now() - started > 150_000) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const seconds = (performance.now() - started) / 1000;
    const dropped = lab.dropped(a) + lab.dropped(b);
    console.log(
      JSON.stringify({
        test: 'reliable RPCs under loss',
        rpcs: last.received,
        seconds: Number(seconds.toFixed(1)),
        rpcsPerSecond: Math.round(last.received / seconds),
        latencyP50Ms: Math.round(last.p50),
        latencyP99Ms: Math.round(last.p99),
        latencyMaxMs: Math.round(last.max),
        udpDropped: dropped,
        relayed: relay?.forwarded,
      }),
    );
    expect(last.duplicates).toBe(0);
    expect(last.gaps).toBe(0);
    expect(last.received).toBe(RPCS);
    expect(last.next).toBe(RPCS);
    // The loss rules really dropped about LOSS of the packets (the test would prove nothing otherwise);
    // they drop on arrival, so every dropped packet was relayed first.
    const relayed = (relay?.forwarded.toA ?? 0) + (relay?.forwarded.toB ?? 0);
    expect(dropped / relayed).toBeGreaterThan(LOSS / 2);
    expect(dropped / relayed).toBeLessThan(LOSS * 2);
    expect(last.p50).toBeGreaterThanOrEqual(DELAY_MS);
  }, 170_000);

  it('keeps the reliable stream flowing while unreliable traffic alongside is lost', {
    timeout: 90_000,
  }, async () => {
    lab.setLoss(a, LOSS);
    lab.setLoss(b, LOSS);
    const before = await host.probe();
    const count = 10_000;
    const started = performance.now();
    // 40 reliable RPCs and 4 unreliable ones of 300 bytes every 10 ms (~120 KB/s of filler).
    const since = client.reports.length;
    client.send({
      cmd: 'stream',
      start: before.next,
      count,
      perTick: 40,
      tickMs: 10,
      noisePerTick: NOISE_PER_TICK,
      noiseBytes: NOISE_BYTES,
    });
    const streamed = await client.next((r) => r.evt === 'streamed', 60_000, since);
    let last: ProbeReport;
    // The longest the stream went without delivering anything while RPCs were still missing.
    let progressAt = performance.now();
    let longestPauseMs = 0;
    let next = before.next;
    for (;;) {
      last = await host.probe(before.received);
      const now = performance.now();
      longestPauseMs = Math.max(longestPauseMs, now - progressAt);
      if (last.next > next) {
        next = last.next;
        progressAt = now;
      }
      if (last.next >= before.next + count || now - started > 60_000) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const seconds = (performance.now() - started) / 1000;
    if (last.next < before.next + count) {
      // A stall: say where the rest is (queued on the sender's side or not) and whether either side
      // lost the link (a link gone takes what it still held with it), for whoever looks next.
      const sender = await client.probe();
      const events = (peer: PeerProcess) =>
        peer.reports.filter((r) => r.evt === 'peer-left' || r.evt === 'disconnected');
      console.warn(
        JSON.stringify({
          stalled: true,
          senderLinks: sender.links,
          receiverLinks: last.links,
          senderEvents: events(client),
          receiverEvents: events(host),
        }),
      );
    }
    const sentNoise = streamed.evt === 'streamed' ? streamed.noise : 0;
    const gotNoise = last.unreliable - before.unreliable;
    console.log(
      JSON.stringify({
        test: 'reliable beside unreliable under loss',
        rpcs: last.received - before.received,
        seconds: Number(seconds.toFixed(1)),
        unreliableSent: sentNoise,
        unreliableReceived: gotNoise,
        latencyP50Ms: Math.round(last.p50),
        latencyP99Ms: Math.round(last.p99),
        longestPauseMs: Math.round(longestPauseMs),
      }),
    );
    expect(last.duplicates).toBe(0);
    expect(last.gaps).toBe(0);
    expect(last.next).toBe(before.next + count);
    // Unreliable traffic may degrade but keeps flowing, and the reliable stream is slowed, never
    // stalled. How much filler the drops hit varies a lot from run to run: the session batches it
    // into a few dozen datagrams, so one dropped datagram loses many messages (0–60% seen).
    expect(gotNoise).toBeLessThanOrEqual(sentNoise);
    expect(gotNoise).toBeGreaterThan(0);
    // Slowed: ~220 KB/s offered, where SCTP's congestion control at 10% loss and ~110 ms RTT carries
    // ~60 KB/s, so a backlog builds (p99 ~10 s). Never stalled: deliveries never pause for long (a
    // chunk lost again on retransmission waits out a doubled RTO, so a pause of a few seconds is rare
    // but legitimate; the stall this guards against lasted the whole minute).
    expect(longestPauseMs).toBeLessThan(MAX_PAUSE_MS);
  });
});
