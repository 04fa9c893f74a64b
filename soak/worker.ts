// The soak itself (run by soak/main.ts in a child process, so a handle left open after close()
// shows up as a process that does not exit): 8 peers over real WebRTC (node-datachannel) in one
// mesh, found through the real WebSocket signaling server, with RPC traffic, unreliable bytes and
// churn (one peer leaves and a new one joins every few seconds). Samples heap, RSS and active
// handles and prints one JSON line of results.
import { rpc, Session } from '@meshplay/core';
import { SignalingServer } from '@meshplay/signaling/server';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { WebRtcTransport } from '@meshplay/transport-webrtc';
import { WebSocket } from 'ws';

const minutes = Number(process.argv[2] ?? '1');
const PEERS = 8;
const durationMs = minutes * 60_000;

class Chat {
  received = 0;
  @rpc({ mode: 'any' })
  say(text: string, n: number) {
    this.received += text.length > 0 && n >= 0 ? 1 : 0;
  }
  @rpc({ mode: 'any' })
  echo(n: number): number {
    return n;
  }
}

interface Peer {
  session: Session;
  chat: Chat;
  timers: NodeJS.Timeout[];
}

const server = await SignalingServer.start({ port: 0, host: '127.0.0.1' });
const url = `ws://127.0.0.1:${server.port}`;

async function join(): Promise<Peer> {
  const signaling = new WebSocketSignaling({ url, WebSocket: WebSocket as never });
  const transport = await WebRtcTransport.join(signaling, 'soak', {
    topology: 'mesh',
    bindAddress: '127.0.0.1',
  });
  const session = new Session({ transport, topology: 'mesh', role: transport.isHost ? 'host' : 'client' });
  const chat = session.register('chat', new Chat());
  await session.ready();
  const peer: Peer = { session, chat, timers: [] };
  let n = 0;
  peer.timers.push(
    setInterval(() => {
      if (!session.connected) return;
      session.rpc(chat).say('hello from the soak', n++);
      session.sendBytes(new Uint8Array(64), { channel: 2 });
    }, 50),
    setInterval(() => {
      if (!session.connected || !session.hostId || session.isHost) return;
      session
        .request(chat, { to: 'host', timeout: 2000 })
        .echo(n)
        .catch(() => undefined);
    }, 250),
  );
  return peer;
}

async function leave(peer: Peer): Promise<void> {
  for (const timer of peer.timers) clearInterval(timer);
  await peer.session.close();
}

function sample() {
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const handles = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo()
    .length;
  return { heap: memory.heapUsed, rss: memory.rss, handles };
}

const peers: Peer[] = [];
for (let i = 0; i < PEERS; i++) peers.push(await join());

const samples: ReturnType<typeof sample>[] = [];
const started = performance.now();
let churns = 0;
let nextChurn = started + 5_000;
let nextSample = started + 2_000;
while (performance.now() - started < durationMs) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  const now = performance.now();
  if (now >= nextChurn) {
    nextChurn = now + 5_000;
    // Never the host (index 0): a star-less mesh would elect another, which is fine, but the soak
    // measures leaks, not elections.
    const index = 1 + (churns % (PEERS - 1));
    await leave(peers[index]!);
    peers[index] = await join();
    churns++;
  }
  if (now >= nextSample) {
    nextSample = now + 2_000;
    samples.push(sample());
  }
}

const delivered = peers.reduce((sum, p) => sum + p.chat.received, 0);
for (const peer of peers) await leave(peer);
await server.close();

// Growth: the median of the last samples against the median of the first ones after warm-up.
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const warm = samples.slice(Math.floor(samples.length / 4));
const third = Math.max(1, Math.floor(warm.length / 3));
const growth = (key: 'heap' | 'rss' | 'handles') => {
  const first = median(warm.slice(0, third).map((s) => s[key]));
  const last = median(warm.slice(-third).map((s) => s[key]));
  return Number(((last - first) / first).toFixed(4));
};
console.log(
  JSON.stringify({
    minutes,
    peers: PEERS,
    churns,
    delivered,
    samples: samples.length,
    heap_growth: growth('heap'),
    rss_growth: growth('rss'),
    handles_growth: growth('handles'),
    heap_mb: Number((samples.at(-1)!.heap / 2 ** 20).toFixed(1)),
    rss_mb: Number((samples.at(-1)!.rss / 2 ** 20).toFixed(1)),
    handles: samples.at(-1)!.handles,
  }),
);
// No process.exit: the parent checks that closing everything lets the process end by itself.
