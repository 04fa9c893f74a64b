import type { Topology } from '@meshplay/core';
import { SignalingServer } from '@meshplay/signaling/server';
import { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { WebSocket } from 'ws';
import type { ArenaGame } from '../game/arena-game.js';
import { Bot } from '../game/bot.js';
import { joinArena } from '../net/join.js';
import { type DemoStatus, type DemoSummary, summarise } from './summary.js';

/** How the demo runs. */
export interface DemoOptions {
  /** Players, the host included (2–16). Default 4. */
  peers?: number;
  /** Default `'host'`. */
  topology?: Topology;
  /** Seconds of play after everyone joined. Default 10. */
  durationS?: number;
  /** Called about once a second with live figures. */
  onStatus?: (status: DemoStatus) => void;
  /** Called once the lobby exists (its code and the signaling server's URL). */
  onLobby?: (lobby: { code: string; url: string }) => void;
  /** Aborting ends the play early (Ctrl-C); the summary still comes. */
  signal?: AbortSignal;
}

/** Frames per second of the demo's render loop (what a screen would draw). */
const FRAME_MS = 1000 / 60;
/** Time given to the last score updates before they are compared. */
const SETTLE_MS = 600;

/**
 * Runs the demo in this process: a signaling server on loopback, a host and bots over real WebRTC
 * (node-datachannel), all playing the arena; returns the summary once everything is closed.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const peers = options.peers ?? 4;
  const topology = options.topology ?? 'host';
  const durationS = options.durationS ?? 10;
  if (!Number.isInteger(peers) || peers < 2 || peers > 16)
    throw new RangeError('peers must be an integer in 2..16');
  if (!(durationS > 0)) throw new RangeError('duration must be a positive number of seconds');

  const server = await SignalingServer.start({ port: 0, host: '127.0.0.1' });
  const url = `ws://127.0.0.1:${server.port}`;
  const games: ArenaGame[] = [];
  const bots: Bot[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  try {
    const signaling = () => new WebSocketSignaling({ url, WebSocket: WebSocket as never });
    const common = { topology, bindAddress: '127.0.0.1' } as const;
    const host = await joinArena({ ...common, signaling: signaling(), name: 'host' });
    games.push(host.game);
    options.onLobby?.({ code: host.code, url });
    for (let i = 1; i < peers; i++) {
      if (options.signal?.aborted) break;
      const { game } = await joinArena({
        ...common,
        signaling: signaling(),
        name: `bot-${i}`,
        code: host.code,
      });
      games.push(game);
    }
    for (const [i, game] of games.entries()) bots.push(new Bot(game, { seed: i + 1 }));

    const watch = new Watcher(games);
    const started = performance.now();
    timers.push(setInterval(() => watch.frame(), FRAME_MS));
    timers.push(
      setInterval(() => {
        for (const game of games) game.probe();
      }, 200),
    );
    timers.push(setInterval(() => options.onStatus?.(watch.status(started)), 1000));
    await sleep(durationS * 1000, options.signal);
    const seconds = (performance.now() - started) / 1000;
    for (const bot of bots) bot.stop();
    await sleep(SETTLE_MS);
    for (const timer of timers) clearInterval(timer);
    timers.length = 0;
    return summarise({ games, topology, seconds, watch });
  } finally {
    for (const timer of timers) clearInterval(timer);
    for (const bot of bots) bot.stop();
    // Clients first, so the host does not see its whole session collapse before it leaves itself.
    for (const game of games.slice(1).reverse()) await game.close();
    await games[0]?.close();
    await server.close();
  }
}

/** What each peer saw: remote players' drawn movement and the render loop's blend counts. */
export class Watcher {
  /** Per observer, per player object id: last drawn position and distance drawn. */
  readonly seen: Map<number, { x: number; y: number; distance: number }>[];
  readonly render = { interpolated: 0, extrapolated: 0, held: 0, empty: 0 };
  /** Per peer, its mean round trip at each status tick (all peers share this process's event loop, so single readings spike). */
  readonly rtts: number[][];

  constructor(readonly games: readonly ArenaGame[]) {
    this.seen = games.map(() => new Map());
    this.rtts = games.map(() => []);
  }

  /** A peer's median round trip over the run, ms. */
  medianRtt(index: number): number | undefined {
    const values = [...this.rtts[index]!].sort((a, b) => a - b);
    return values.length === 0 ? undefined : values[Math.floor(values.length / 2)];
  }

  /** One frame on every peer: render, and accumulate how far each remote player was drawn moving. */
  frame(): void {
    this.games.forEach((game, i) => {
      if (!game.session.connected) return;
      const stats = game.replication.render();
      for (const key of Object.keys(this.render) as (keyof typeof this.render)[])
        this.render[key] += stats[key];
      const seen = this.seen[i]!;
      for (const player of game.players()) {
        if (player === game.me) continue;
        const at = game.position(player);
        const last = seen.get(player.id);
        if (last) {
          last.distance += Math.hypot(at.x - last.x, at.y - last.y);
          last.x = at.x;
          last.y = at.y;
        } else seen.set(player.id, { ...at, distance: 0 });
      }
    });
  }

  /** The live figures. */
  status(started: number): DemoStatus {
    this.games.forEach((game, i) => {
      const rtt = game.stats.rtt();
      if (rtt !== undefined) this.rtts[i]!.push(rtt);
    });
    const host = this.games[0]!;
    const hostSample = host.stats.sample();
    const clients = this.games.slice(1).map((game) => game.stats.sample());
    const rtts = clients.map((s) => s.rttMs).filter((r): r is number => r !== undefined);
    const losses = clients.map((s) => s.loss).filter((l): l is number => l !== undefined);
    return {
      seconds: (performance.now() - started) / 1000,
      peers: host.session.peers().length + 1,
      tick: host.replication.loop.tick,
      rttMs: rtts.length ? rtts.reduce((a, b) => a + b, 0) / rtts.length : undefined,
      loss: losses.length ? losses.reduce((a, b) => a + b, 0) / losses.length : undefined,
      hostSentKBps: hostSample.sentKBps,
      hostReceivedKBps: hostSample.receivedKBps,
      objects: host.replication.objects().length,
      dropped: hostSample.dropped + clients.reduce((sum, s) => sum + s.dropped, 0),
    };
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
