// A meshplay peer in its own process (started by peers.ts, possibly inside a network namespace):
// a core Session over the real WebRTC transport, driven by the parent over the IPC channel.
// Config comes in MESHPLAY_PEER (JSON, see PeerConfig); commands and reports are PeerCommand /
// PeerReport. The process crashes loudly on any unhandled error, so the parent sees it.
import { rpc, Session } from '@meshplay/core';
import type { SignalingAdapter } from '@meshplay/signaling';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { WebRtcTransport } from '@meshplay/transport-webrtc';
import { WebSocket } from 'ws';
import { ipcSignaling } from './ipc-signaling.ts';
import type { PeerCommand, PeerConfig, PeerReport } from './protocol.ts';

const config = JSON.parse(process.env.MESHPLAY_PEER ?? '{}') as PeerConfig;
const report = (message: PeerReport) => process.send?.(message);
const now = () => performance.timeOrigin + performance.now();

/** What this peer received; RPC handlers check exactly-once, in-order delivery as they go. */
class Probe {
  next = 0;
  received = 0;
  duplicates = 0;
  gaps = 0;
  latencies: number[] = [];
  unreliable = 0;
  ticks = 0;
  lastTick = -1;
  tickFrom = new Map<string, number>();

  constructor(readonly session: Session) {}

  /** One reliable RPC of a numbered stream. */
  @rpc({ mode: 'any' })
  push(seq: number, sentAt: number) {
    this.received++;
    if (seq < this.next) this.duplicates++;
    else {
      if (seq > this.next) this.gaps++;
      this.next = seq + 1;
    }
    this.latencies.push(now() - sentAt);
  }

  /** Filler on the unreliable channel (it may be lost; it must never hold the reliable stream up). */
  @rpc({ mode: 'any', transfer: 'unreliable' })
  noise(_seq: number, _pad: Uint8Array) {
    this.unreliable++;
  }

  /** A game tick, broadcast by whoever runs the game loop. */
  @rpc({ mode: 'any' })
  tick(n: number) {
    this.ticks++;
    this.lastTick = n;
    const from = this.session.remoteSender;
    if (from) this.tickFrom.set(from, n);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

function signaling(): SignalingAdapter {
  if (config.signaling === 'ipc') return ipcSignaling();
  return new WebSocketSignaling({
    url: config.signaling.url,
    WebSocket: WebSocket as never,
    reconnect: { baseMs: 100, maxMs: 500, maxAttempts: 200 },
  });
}

const transport = await WebRtcTransport.join(signaling(), config.room, {
  topology: config.topology === 'mesh' ? 'mesh' : 'star',
  ...(config.bindAddress ? { bindAddress: config.bindAddress } : {}),
  connectTimeoutMs: 15_000,
});
const session = new Session({
  transport,
  topology: config.topology,
  role: transport.isHost ? 'host' : 'client',
  heartbeatIntervalMs: config.heartbeatIntervalMs ?? 250,
  heartbeatTimeoutMs: config.heartbeatTimeoutMs ?? 2000,
});
const probe = session.register('probe', new Probe(session));
session.events.on('connected', ({ self, host }) => report({ evt: 'connected', self, host }));
session.events.on('peer-joined', ({ peer }) => report({ evt: 'peer-joined', peer }));
session.events.on('peer-left', ({ peer, code }) => report({ evt: 'peer-left', peer, code, at: now() }));
session.events.on('host-changed', ({ host, previous }) => report({ evt: 'host-changed', host, previous }));
session.events.on('disconnected', ({ code, reason }) => report({ evt: 'disconnected', code, reason }));

let ticker: ReturnType<typeof setInterval> | undefined;
let tickNo = 0;

/** Sends `count` reliable RPCs to the host, `perTick` every `tickMs`, plus unreliable filler. */
async function stream(command: Extract<PeerCommand, { cmd: 'stream' }>): Promise<void> {
  const pad = new Uint8Array(command.noiseBytes ?? 0);
  const started = now();
  const start = command.start ?? 0;
  const end = start + command.count;
  let seq = start;
  let noise = 0;
  while (seq < end) {
    for (let i = 0; i < command.perTick && seq < end; i++) {
      session.rpc(probe, { to: 'host' }).push(seq++, now());
    }
    for (let i = 0; i < (command.noisePerTick ?? 0); i++)
      session.rpc(probe, { to: 'host' }).noise(noise++, pad);
    await new Promise((resolve) => setTimeout(resolve, command.tickMs));
  }
  report({ evt: 'streamed', count: seq - start, noise, ms: now() - started });
}

process.on('message', (message: PeerCommand) => {
  if (typeof message !== 'object' || message === null || !('cmd' in message)) return;
  switch (message.cmd) {
    case 'stream':
      void stream(message);
      break;
    case 'tick': {
      // Run the game loop here: broadcast a tick every `everyMs` (stop with everyMs 0).
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      if (message.everyMs > 0) {
        ticker = setInterval(() => session.connected && session.rpc(probe).tick(tickNo++), message.everyMs);
      }
      break;
    }
    case 'report': {
      const sorted = probe.latencies.slice(message.since ?? 0).sort((a, b) => a - b);
      report({
        evt: 'report',
        id: session.id,
        host: session.hostId,
        isHost: session.isHost,
        peers: session.peers(),
        connected: session.connected,
        received: probe.received,
        next: probe.next,
        duplicates: probe.duplicates,
        gaps: probe.gaps,
        p50: percentile(sorted, 0.5),
        p99: percentile(sorted, 0.99),
        max: sorted.at(-1) ?? Number.NaN,
        unreliable: probe.unreliable,
        ticks: probe.ticks,
        lastTick: probe.lastTick,
        tickFrom: Object.fromEntries(probe.tickFrom),
        sentTicks: tickNo,
        links: Object.fromEntries(transport.peers().map((peer) => [peer, transport.stats(peer)])),
      });
      break;
    }
    case 'close':
      if (ticker) clearInterval(ticker);
      void session.close().then(() => process.exit(0));
      break;
  }
});
report({ evt: 'joined', self: transport.localId, isHost: transport.isHost });
