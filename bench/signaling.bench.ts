// Signaling under load: 500 WebSocket clients in 50 lobbies of 10 on one server node, then the
// same spread over two nodes sharing lobbies through Redis (each relay crosses nodes). Baseline:
// a bare `ws` relay (no ids, lobbies, validation or JSON envelope checks) measured in the same
// run, so the figures read as the cost of the signaling server over the socket library itself.
// Everything runs in this one process: clients and servers share the CPU.
import { createRequire } from 'node:module';
import type { SignalingRoom } from '@meshplay/signaling';
import { SignalingServer, type SignalingServerOptions } from '@meshplay/signaling/server';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { defineBenchmark } from './harness.ts';

// `ws` is a dependency of the signaling package, not of the repository root: load it from there.
interface RawSocket {
  readonly OPEN: number;
  send(data: string): void;
  terminate(): void;
  on(event: 'message', listener: (data: unknown) => void): void;
  once(event: 'open' | 'error', listener: (error?: Error) => void): void;
}
interface RawServer {
  on(event: 'connection', listener: (socket: RawSocket, request: { url?: string }) => void): void;
  once(event: 'listening', listener: () => void): void;
  address(): { port: number };
  close(callback: () => void): void;
}
const ws = createRequire(new URL('../packages/signaling/package.json', import.meta.url))('ws') as {
  WebSocket: new (url: string) => RawSocket;
  WebSocketServer: new (options: { port: number; host: string }) => RawServer;
};
const { WebSocket, WebSocketServer } = ws;

const CLIENTS = 500;
const LOBBIES = 50;
const JOIN_WAVE = 50;
const LATENCY_RELAYS = 2000;
/** Relays before measuring, so each path is compared warm (JIT, buffers). */
const WARMUP_RELAYS = 500;
const BURST_PER_CLIENT = 40;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Limits out of the way: the bench measures the relay path, not the rate limiter. */
const UNLIMITED: SignalingServerOptions = {
  port: 0,
  rateLimit: { perSecond: 1e9, burst: 1e9 },
  maxPeersPerLobby: 64,
  maxConnections: 100_000,
  maxBufferedBytes: 1 << 30,
};

type Stamp = { t: number };

/** One sender → receiver pair: `send` stamps, `onReceive` reports the one-way latency. */
interface Pair {
  send(stamp: Stamp): void;
  onReceive(handler: (stamp: Stamp) => void): void;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

/** Latency: relays one at a time round the pairs (light load), one-way, same clock. */
async function latency(pairs: Pair[]): Promise<{ p50: number; p99: number }> {
  const samples: number[] = [];
  let resolveOne: () => void = () => {};
  for (const pair of pairs) {
    pair.onReceive((stamp) => {
      samples.push(performance.now() - stamp.t);
      resolveOne();
    });
  }
  for (let i = 0; i < WARMUP_RELAYS + LATENCY_RELAYS; i++) {
    const arrived = new Promise<void>((resolve) => {
      resolveOne = resolve;
    });
    (pairs[i % pairs.length] as Pair).send({ t: performance.now() });
    await arrived;
  }
  samples.splice(0, WARMUP_RELAYS);
  samples.sort((a, b) => a - b);
  return { p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) };
}

/** Throughput: every pair sends a burst at once; relays per second until the last arrives. */
async function throughput(pairs: Pair[]): Promise<number> {
  const total = pairs.length * BURST_PER_CLIENT;
  let received = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  for (const pair of pairs) {
    pair.onReceive(() => {
      if (++received === total) done();
    });
  }
  const started = performance.now();
  for (let i = 0; i < BURST_PER_CLIENT; i++) for (const pair of pairs) pair.send({ t: 0 });
  await finished;
  return Math.round(total / ((performance.now() - started) / 1000));
}

/** Joins CLIENTS rooms in waves; client k of lobby L relays to client k+1 of L. */
async function joinAll(urlFor: (index: number) => string, tag: string) {
  const rooms: SignalingRoom[] = [];
  const joinMs: number[] = [];
  for (let wave = 0; wave < CLIENTS; wave += JOIN_WAVE) {
    const batch = await Promise.all(
      Array.from({ length: JOIN_WAVE }, async (_, k) => {
        const index = wave + k;
        const adapter = new WebSocketSignaling({ url: urlFor(index), WebSocket, reconnect: false });
        const started = performance.now();
        const room = await adapter.join(`${tag}-${index % LOBBIES}`);
        joinMs.push(performance.now() - started);
        return room;
      }),
    );
    rooms.push(...batch);
  }
  joinMs.sort((a, b) => a - b);
  // Index k sits in lobby k % LOBBIES; its partner is the next client of the same lobby.
  const handlers = new Map<SignalingRoom, (stamp: Stamp) => void>();
  for (const room of rooms) room.events.on('signal', ({ payload }) => handlers.get(room)?.(payload as Stamp));
  const pairs: Pair[] = rooms.map((room, index) => {
    const partner = rooms[(index + LOBBIES) % CLIENTS] as SignalingRoom;
    return {
      send: (stamp) => room.send(partner.selfId, stamp),
      onReceive: (handler) => handlers.set(partner, handler),
    };
  });
  // Partners must know each other before relaying (each learns the other from its own node).
  await waitFor(() => rooms.every((room) => room.peers().length === CLIENTS / LOBBIES - 1));
  return {
    rooms,
    pairs,
    join: { p50: round(percentile(joinMs, 50)), p99: round(percentile(joinMs, 99)) },
  };
}

async function waitFor(check: () => boolean): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error('timed out waiting for the lobbies to fill');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The baseline: a bare ws server forwarding `{to, payload}` to the socket registered as `to`. */
async function rawBaseline(): Promise<{ p50: number; p99: number; perSecond: number }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const byId = new Map<string, RawSocket>();
  server.on('connection', (socket, request) => {
    byId.set(new URL(request.url ?? '/', 'http://x').searchParams.get('id') ?? '', socket);
    socket.on('message', (data) => {
      const { to, payload } = JSON.parse(String(data)) as { to: string; payload: unknown };
      byId.get(to)?.send(JSON.stringify({ from: 'x', payload }));
    });
  });
  const { port } = server.address() as { port: number };
  const sockets = await Promise.all(
    Array.from(
      { length: CLIENTS },
      (_, index) =>
        new Promise<RawSocket>((resolve, reject) => {
          const socket = new WebSocket(`ws://127.0.0.1:${port}/?id=${index}`);
          socket.once('open', () => resolve(socket));
          socket.once('error', (error) => reject(error));
        }),
    ),
  );
  const handlers = new Map<RawSocket, (stamp: Stamp) => void>();
  for (const socket of sockets) {
    socket.on('message', (data) =>
      handlers.get(socket)?.((JSON.parse(String(data)) as { payload: Stamp }).payload),
    );
  }
  const pairs: Pair[] = sockets.map((socket, index) => {
    const partnerIndex = (index + LOBBIES) % CLIENTS;
    return {
      send: (stamp) => socket.send(JSON.stringify({ to: String(partnerIndex), payload: stamp })),
      onReceive: (handler) => handlers.set(sockets[partnerIndex] as RawSocket, handler),
    };
  });
  const { p50, p99 } = await latency(pairs);
  const perSecond = await throughput(pairs);
  for (const socket of sockets) socket.terminate();
  await new Promise<void>((resolve) => server.close(resolve));
  return { p50, p99, perSecond };
}

async function redisReachable(): Promise<boolean> {
  const probe = await SignalingServer.start({
    ...UNLIMITED,
    redis: REDIS_URL,
    redisPrefix: 'meshplay:bench:probe:',
  })
    .then((server) => server.close().then(() => true))
    .catch(() => false);
  return probe;
}

export default defineBenchmark({
  name: 'signaling',
  async run() {
    const raw = await rawBaseline();

    const single = await SignalingServer.start(UNLIMITED);
    const one = await joinAll(() => single.url, 'one');
    const oneLatency = await latency(one.pairs);
    const oneRate = await throughput(one.pairs);
    await Promise.all(one.rooms.map((room) => room.leave()));
    await single.close();

    const figures: Record<string, unknown> = {
      clients: CLIENTS,
      lobbies: LOBBIES,
      join_p50_ms: one.join.p50,
      join_p99_ms: one.join.p99,
      relay_p50_ms: oneLatency.p50,
      relay_p99_ms: oneLatency.p99,
      relays_per_s: oneRate,
      raw_relay_p50_ms: raw.p50,
      raw_relay_p99_ms: raw.p99,
      raw_relays_per_s: raw.perSecond,
      relay_p50_vs_raw: round(oneLatency.p50 / raw.p50, 2),
      relays_per_s_vs_raw: round(oneRate / raw.perSecond, 2),
    };

    if (await redisReachable()) {
      const prefix = `meshplay:bench:${Date.now()}:`;
      const nodes = await Promise.all([
        SignalingServer.start({ ...UNLIMITED, redis: REDIS_URL, redisPrefix: prefix }),
        SignalingServer.start({ ...UNLIMITED, redis: REDIS_URL, redisPrefix: prefix }),
      ]);
      // Lobby L holds clients L, L+50, L+100, …: alternate waves land on alternate nodes, so
      // every partner (the next client of the lobby) is on the other node.
      const two = await joinAll(
        (index) => (nodes[Math.floor(index / LOBBIES) % 2] as SignalingServer).url,
        'two',
      );
      const twoLatency = await latency(two.pairs);
      const twoRate = await throughput(two.pairs);
      await Promise.all(two.rooms.map((room) => room.leave()));
      await Promise.all(nodes.map((node) => node.close()));
      Object.assign(figures, {
        redis_join_p50_ms: two.join.p50,
        redis_join_p99_ms: two.join.p99,
        redis_relay_p50_ms: twoLatency.p50,
        redis_relay_p99_ms: twoLatency.p99,
        redis_relays_per_s: twoRate,
        redis_relays_per_s_vs_one_node: round(twoRate / oneRate, 2),
      });
    } else {
      console.warn(`[signaling bench] Redis at ${REDIS_URL} unreachable: two-node figures skipped`);
      figures.redis_skipped = `Redis at ${REDIS_URL} unreachable`;
    }
    return figures;
  },
});
