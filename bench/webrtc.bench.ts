// The WebRTC transport against raw node-datachannel, both measured in this run on loopback, in
// one process (both ends share the CPU):
// - RTT: raw string ping-pong on a reliable channel vs an awaited RPC request/response through
//   Session + WebRtcTransport (goal: ratio ≤ 1.2), and datagram ping-pong through the transport
//   alone (what the transport itself adds; the rest is the session's); beside them, what the
//   baseline leaves out: the same ping-pong with binary messages (node-datachannel hands each to JS
//   as a fresh Buffer, a string costs less) and the floor, an awaited request/response of three
//   binary bytes with nothing else (see rawAwaited);
// - throughput: raw 32-byte messages one way vs one-way RPCs with two small args (goal ≥ 1.5,
//   which the session's batching makes possible);
// - a mesh of 16 peers from nothing to every pair linked with every channel open (goal ≤ 1.5);
// - two peers from nothing to channels open.
// Setup times are medians of several builds: libdatachannel drops a DTLS ClientHello that arrives
// before its own ICE agent reports connected and resends it only after 1 s, so a build is either
// fast or about a second slower. The transport makes that rare (see its sdp.ts); raw peers keep
// libdatachannel's default roles.
// Raw peers swap SDP and candidates by direct calls (no signaling at all); the transport goes
// through the in-memory signaling hub. Raw setup, throughput and mesh run first: the transport
// sets libdatachannel's process-wide SCTP send buffer (256 KiB) when it makes its first
// connection, and those raw baselines keep the library default (1 MiB). The RTT rounds come after
// and interleave every variant (a ping-pong never fills a send buffer).
import { rpc, Session } from '@meshplay/core';
import { MemorySignalingHub } from '@meshplay/signaling';
import { WebRtcTransport } from '@meshplay/transport-webrtc';
import { defineBenchmark } from './harness.ts';
import {
  BIND,
  BURST,
  MESH,
  MESSAGES,
  median,
  type Rounds,
  SETUP_RUNS,
  tick,
  until,
} from './webrtc/common.ts';
import { rawAwaited, rawMeshMs, rawMessagesPerS, rawPingPong, rawSetupMs } from './webrtc/raw.ts';

const RTT_ROUNDS = 25;
const RTT_PER_ROUND = 200;
const MESH_RUNS = 3;

// The transport ------------------------------------------------------------------------------------

class Bench {
  received = 0;

  @rpc({ mode: 'any' })
  echo(n: number): number {
    return n;
  }

  @rpc({ mode: 'any' })
  move(x: number, y: number) {
    this.received += x + y >= 0 ? 1 : 0;
  }
}

const transports: WebRtcTransport[] = [];
let rooms = 0;

async function group(n: number, topology: 'star' | 'mesh'): Promise<WebRtcTransport[]> {
  const hub = new MemorySignalingHub();
  const room = `bench-${rooms++}`;
  const list: WebRtcTransport[] = [];
  for (let i = 0; i < n; i++)
    list.push(await WebRtcTransport.join(hub.adapter(), room, { topology, bindAddress: BIND }));
  transports.push(...list);
  return list;
}

async function setupMs(): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < SETUP_RUNS; i++) {
    const started = performance.now();
    const [a, b] = (await group(2, 'mesh')) as [WebRtcTransport, WebRtcTransport];
    await Promise.all([a.waitForPeer(b.localId), b.waitForPeer(a.localId)]);
    times.push(performance.now() - started);
    await Promise.all([a.close(), b.close()]);
  }
  return median(times);
}

async function sessionPair() {
  const [host, client] = (await group(2, 'star')) as [WebRtcTransport, WebRtcTransport];
  const benches: Bench[] = [];
  const sessions = [host, client].map((transport, i) => {
    const session = new Session({ transport, role: i === 0 ? 'host' : 'client', topology: 'host' });
    benches[i] = session.register('bench', new Bench());
    return session;
  });
  await Promise.all(sessions.map((s) => s.ready()));
  return { host: sessions[0]!, client: sessions[1]!, benches };
}

/** A session pair ready for request rounds: `round(n)` returns the mean awaited request in µs. */
async function rpcPingPong(): Promise<Rounds> {
  const { host, client, benches } = await sessionPair();
  const requester = client.request(benches[1]!, { to: host.id });
  return {
    round: async (n) => {
      const started = performance.now();
      for (let i = 0; i < n; i++) await requester.echo(i);
      return ((performance.now() - started) * 1000) / n;
    },
    close: async () => {
      await Promise.all([client.close(), host.close()]);
    },
  };
}

/** Datagram ping-pong through the transport alone (no session): what the transport itself adds. */
async function transportPingPong(): Promise<Rounds> {
  const [a, b] = (await group(2, 'mesh')) as [WebRtcTransport, WebRtcTransport];
  await Promise.all([a.waitForPeer(b.localId), b.waitForPeer(a.localId)]);
  b.events.on('message', ({ peer, data }) => b.send(peer, 0, data));
  let onPong = () => {};
  a.events.on('message', () => onPong());
  const ping = new Uint8Array(4);
  return {
    round: (n) =>
      new Promise((resolve) => {
        let left = n;
        const started = performance.now();
        onPong = () => {
          if (--left === 0) resolve(((performance.now() - started) * 1000) / n);
          else a.send(b.localId, 0, ping);
        };
        a.send(b.localId, 0, ping);
      }),
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

/** Round trips of every variant, each as the median of its rounds and as a ratio to the raw baseline. */
interface Rtts {
  readonly us: Record<RttVariant, number>;
  readonly ratio: Record<RttVariant, number>;
}
type RttVariant = 'raw' | 'rawBinary' | 'floor' | 'transport' | 'rpc';

/**
 * Round trips of every variant in short rounds, interleaved and in a rotating order, so that load
 * from elsewhere on the machine hits them alike. Ratios are the median of each round's ratio to the
 * raw round next to it (paired), which the machine's drifting load sways far less than a ratio of
 * two medians taken over different moments.
 */
async function rtts(): Promise<Rtts> {
  const variants: [RttVariant, Rounds][] = [
    ['raw', await rawPingPong(false)],
    ['rawBinary', await rawPingPong(true)],
    ['floor', await rawAwaited()],
    ['transport', await transportPingPong()],
    ['rpc', await rpcPingPong()],
  ];
  const us = new Map<RttVariant, number[]>(variants.map(([name]) => [name, []]));
  const ratios = new Map<RttVariant, number[]>(variants.map(([name]) => [name, []]));
  for (let i = -2; i < RTT_ROUNDS; i++) {
    const round = new Map<RttVariant, number>();
    for (let k = 0; k < variants.length; k++) {
      const [name, rounds] = variants[(k + i + 2) % variants.length]!;
      round.set(name, await rounds.round(RTT_PER_ROUND));
    }
    if (i < 0) continue; // warm-up
    for (const [name, value] of round) {
      us.get(name)!.push(value);
      ratios.get(name)!.push(value / round.get('raw')!);
    }
  }
  for (const [, rounds] of variants) await rounds.close();
  const of = (values: Map<RttVariant, number[]>) =>
    Object.fromEntries([...values].map(([name, list]) => [name, median(list)])) as Record<RttVariant, number>;
  return { us: of(us), ratio: of(ratios) };
}

async function rpcCallsPerS(): Promise<{ perS: number; perDatagram: number }> {
  const { host, client, benches } = await sessionPair();
  const caller = client.rpc(benches[1]!, { to: host.id });
  const before = client.transport.stats(host.id)!.messagesSent;
  const started = performance.now();
  for (let sent = 0; sent < MESSAGES; sent += BURST) {
    for (let i = 0; i < BURST; i++) caller.move(i & 63, 7);
    await tick();
  }
  await until(() => benches[0]!.received === MESSAGES, 60_000, 'RPC calls');
  const perS = MESSAGES / ((performance.now() - started) / 1000);
  const datagrams = client.transport.stats(host.id)!.messagesSent - before;
  await Promise.all([client.close(), host.close()]);
  return { perS, perDatagram: MESSAGES / datagrams };
}

async function meshMs(): Promise<number> {
  const started = performance.now();
  const mesh = await group(MESH, 'mesh');
  await until(() => mesh.every((t) => t.peers().length === MESH - 1), 60_000, 'the mesh');
  const ms = performance.now() - started;
  await Promise.all(mesh.map((t) => t.close()));
  return ms;
}

/** The median of `runs` builds: one slow link (a lost DTLS ClientHello costs 1 s) sways a single one. */
async function medianOf(runs: number, build: () => Promise<number>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(await build());
  return median(times);
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export default defineBenchmark({
  name: 'webrtc',
  async run() {
    const raw = {
      setup: await rawSetupMs(),
      msgs: await rawMessagesPerS(),
      mesh: await medianOf(MESH_RUNS, rawMeshMs),
    };
    const setup = await setupMs();
    const rtt = await rtts();
    const calls = await rpcCallsPerS();
    const mesh = await medianOf(MESH_RUNS, meshMs);
    await Promise.all(transports.map((t) => t.close()));
    return {
      raw_rtt_us: round(rtt.us.raw),
      rpc_rtt_us: round(rtt.us.rpc),
      rtt_ratio: round(rtt.ratio.rpc, 2),
      transport_rtt_us: round(rtt.us.transport),
      transport_rtt_ratio: round(rtt.ratio.transport, 2),
      raw_binary_rtt_us: round(rtt.us.rawBinary),
      raw_binary_rtt_ratio: round(rtt.ratio.rawBinary, 2),
      floor_rtt_us: round(rtt.us.floor),
      floor_rtt_ratio: round(rtt.ratio.floor, 2),
      raw_msgs_per_s: Math.round(raw.msgs),
      rpc_calls_per_s: Math.round(calls.perS),
      throughput_ratio: round(calls.perS / raw.msgs, 2),
      rpc_calls_per_datagram: Math.round(calls.perDatagram),
      raw_mesh16_ms: round(raw.mesh),
      mesh16_ms: round(mesh),
      mesh_ratio: round(mesh / raw.mesh, 2),
      raw_setup_ms: round(raw.setup),
      setup_ms: round(setup),
      goals: { rtt_ratio_max: 1.2, throughput_ratio_min: 1.5, mesh_ratio_max: 1.5 },
    };
  },
});
