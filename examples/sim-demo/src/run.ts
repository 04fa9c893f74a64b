import { createSessions, type Session, SimNetwork } from '@meshplay/core';
import { Arena } from './game.js';

/** How the demo runs. */
export interface DemoOptions {
  bots: number;
  seconds: number;
  tickHz: number;
  latencyMs: number;
  loss: number;
  seed: number;
  /** Real time (watchable) or virtual time (as fast as the CPU goes; used by the test). */
  realtime: boolean;
  /** Called about four times a second with a status line. */
  onStatus?: (line: string) => void;
}

/** What the demo measured. */
export interface DemoSummary {
  peers: number;
  ticks: number;
  seconds: number;
  shots: number;
  hits: number;
  refused: number;
  statesPerClient: number[];
  /** Largest distance between a player's host position and what each client last saw. */
  maxDivergence: number;
  scores: Record<string, number>;
  kbUp: number;
  kbDown: number;
}

/** Runs a host and `bots` bot clients on a SimNetwork; resolves with the summary. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const net = new SimNetwork({
    seed: options.seed,
    latency: options.latencyMs,
    jitter: options.latencyMs / 5,
    realtime: options.realtime,
  });
  const arenas: Arena[] = [];
  let refused = 0;
  const sessions = await createSessions(net, options.bots + 1, {
    setup: (session, i) => {
      arenas[i] = session.register('arena', new Arena(session));
      session.events.on('error', () => refused++);
    },
  });
  const host = sessions[0]!;
  const hostArena = arenas[0]!;
  for (const s of sessions.slice(1)) hostArena.join(s.id, () => net.random());
  host.events.on('peer-left', ({ peer }) => hostArena.leave(peer));
  net.configure({ loss: options.loss });

  const tickMs = 1000 / options.tickHz;
  const ticks = Math.round(options.seconds * options.tickHz);
  let shots = 0;
  let hits = 0;
  const shotsInFlight: Promise<void>[] = [];
  const started = performance.now();
  let lastStatus = 0;
  for (let tick = 1; tick <= ticks; tick++) {
    sessions.slice(1).forEach((bot, i) => {
      const arena = arenas[i + 1]!;
      // Bots change direction now and then, and shoot at whoever they saw last.
      if (tick % 15 === i % 15)
        arena.session
          .rpc(arena, { to: 'host' })
          .input(Math.floor(net.random() * 3) - 1, Math.floor(net.random() * 3) - 1);
      if (tick % 20 === (i * 7) % 20) {
        const targets = [...arena.seen].filter(([id]) => id !== bot.id);
        const target = targets[Math.floor(net.random() * targets.length)];
        if (target) {
          shots++;
          shotsInFlight.push(
            bot
              .request(arena, { to: 'host', timeout: 2000 })
              .shoot(target[1].x, target[1].y)
              .then(
                (answer) => void (answer.hit && hits++),
                () => undefined,
              ),
          );
        }
      }
    });
    hostArena.step(tickMs / 1000);
    await net.run(tickMs);
    const now = options.realtime ? performance.now() - started : net.now();
    if (options.onStatus && now - lastStatus >= 250) {
      lastStatus = now;
      options.onStatus(statusLine(tick, host, sessions, net.now() / 1000));
    }
  }
  // Loss stops; one more broadcast lets every client converge on the final state.
  net.configure({ loss: 0 });
  hostArena.step(0);
  await net.run(500);
  await Promise.all(shotsInFlight);
  const stats = sessions.slice(1).map((s) => s.transport.stats(host.id)!);
  const summary: DemoSummary = {
    peers: sessions.length,
    ticks,
    seconds: Number((net.now() / 1000).toFixed(1)),
    shots,
    hits,
    refused,
    statesPerClient: arenas.slice(1).map((a) => a.statesReceived),
    maxDivergence: divergence(hostArena, arenas.slice(1)),
    scores: Object.fromEntries([...hostArena.players].map(([id, p]) => [id.slice(0, 6), p.score])),
    kbUp: Math.round(stats.reduce((sum, s) => sum + s.bytesSent, 0) / 1024),
    kbDown: Math.round(stats.reduce((sum, s) => sum + s.bytesReceived, 0) / 1024),
  };
  for (const s of sessions) await s.close();
  await net.stop();
  return summary;
}

function statusLine(tick: number, host: Session, sessions: Session[], seconds: number): string {
  const rtts = sessions.slice(1).flatMap((s) => s.rtt(host.id) ?? []);
  const stats = host.peers().map((p) => host.transport.stats(p)!);
  const up = stats.reduce((sum, s) => sum + s.bytesReceived, 0);
  const down = stats.reduce((sum, s) => sum + s.bytesSent, 0);
  const rtt = rtts.length ? `${Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length)} ms` : '–';
  const dropped = stats.reduce((sum, s) => sum + s.dropped, 0);
  return `t=${seconds.toFixed(1)}s tick ${tick} | peers ${host.peers().length + 1} | rtt ${rtt} | host in ${(up / 1024 / Math.max(seconds, 0.001)).toFixed(1)} kB/s out ${(down / 1024 / Math.max(seconds, 0.001)).toFixed(1)} kB/s | dropped ${dropped}`;
}

function divergence(host: Arena, clients: Arena[]): number {
  let worst = 0;
  for (const client of clients) {
    for (const [id, p] of host.players) {
      const seen = client.seen.get(id);
      worst = Math.max(worst, seen ? Math.hypot(seen.x - p.x, seen.y - p.y) : Number.POSITIVE_INFINITY);
    }
  }
  return Number(worst.toFixed(2));
}
