import type { Topology } from '@meshplay/core';
import type { ArenaGame } from '../game/arena-game.js';
import type { Watcher } from './run-demo.js';

/** Live figures of a running demo (the host's view, round trips and loss from the clients'). */
export interface DemoStatus {
  seconds: number;
  peers: number;
  tick: number;
  /** Mean heartbeat round trip of the clients to their linked peers, ms. */
  rttMs: number | undefined;
  /** Mean loss of unreliable probes to the host, 0–1. */
  loss: number | undefined;
  hostSentKBps: number;
  hostReceivedKBps: number;
  objects: number;
  /** Messages dropped on purpose by every peer's transport so far. */
  dropped: number;
}

/** One player at the end of the demo. */
export interface PlayerSummary {
  name: string;
  /** Distance its owner moved it, units. */
  moved: number;
  /** Least distance any other peer drew it moving, units (0: somebody never saw it move). */
  seenMoving: number;
  fired: number;
  /** Shots the host answered with a result (the RPC's return value). */
  answered: number;
  hits: number;
  failed: number;
  /** Score on the host's scoreboard. */
  score: number;
  /** Whether every other peer's copy of the scoreboard shows the same score. */
  scoreReplicated: boolean;
  /** Median over the run of its mean round trip to its linked peers, ms. */
  rttMs: number | undefined;
  sentKB: number;
  receivedKB: number;
}

/** What the demo prints at the end (and what the tests check). */
export interface DemoSummary {
  topology: Topology;
  seconds: number;
  /** Host ticks run. */
  ticks: number;
  players: PlayerSummary[];
  /** Objects on the host at the end (players and the scoreboard). */
  objects: number;
  /** Share of rendered remote-object frames that blended two snapshots (the rest extrapolated or held). */
  interpolatedShare: number;
  /** Mean kB/s sent and received by the host over the run. */
  hostSentKBps: number;
  hostReceivedKBps: number;
  /** Messages dropped on purpose by every peer's transport. */
  dropped: number;
  /** Whether every peer's scoreboard matches the host's. */
  scoresReplicated: boolean;
}

/** Builds the summary from the games at the end of the run (before they close). */
export function summarise(run: {
  games: readonly ArenaGame[];
  topology: Topology;
  seconds: number;
  watch: Watcher;
}): DemoSummary {
  const { games, watch } = run;
  const host = games[0]!;
  const board = host.scoreboard;
  const players: PlayerSummary[] = games.map((game, index) => {
    const me = game.me;
    const id = me?.id ?? -1;
    const score = board?.scoreOf(id) ?? 0;
    const observers = games
      .map((_, i) => watch.seen[i]!.get(id)?.distance)
      .filter((_, i) => games[i] !== game);
    const totals = game.stats.totals();
    return {
      name: game.name,
      moved: game.travelled,
      seenMoving: observers.length ? Math.min(...observers.map((d) => d ?? 0)) : 0,
      fired: game.shots.fired,
      answered: game.shots.answered,
      hits: game.shots.hits,
      failed: game.shots.failed,
      score,
      scoreReplicated: games.every((other) => other.scoreboard?.scoreOf(id) === score),
      rttMs: watch.medianRtt(index),
      sentKB: totals.sent / 1024,
      receivedKB: totals.received / 1024,
    };
  });
  const frames =
    watch.render.interpolated + watch.render.extrapolated + watch.render.held + watch.render.empty;
  const hostTotals = host.stats.totals();
  return {
    topology: run.topology,
    seconds: run.seconds,
    ticks: host.replication.loop.tick + 1,
    players,
    objects: host.replication.objects().length,
    interpolatedShare: frames ? watch.render.interpolated / frames : 0,
    hostSentKBps: hostTotals.sent / 1024 / run.seconds,
    hostReceivedKBps: hostTotals.received / 1024 / run.seconds,
    dropped: games.reduce((sum, game) => sum + game.stats.totals().dropped, 0),
    scoresReplicated: players.every((p) => p.scoreReplicated),
  };
}

const fixed = (n: number | undefined, digits = 1) => (n === undefined ? '–' : n.toFixed(digits));

/** One status line. */
export function formatStatus(s: DemoStatus): string {
  return (
    `[${s.seconds.toFixed(0).padStart(3)} s] peers ${s.peers}  tick ${s.tick}  ` +
    `rtt ${fixed(s.rttMs)} ms  loss ${s.loss === undefined ? '–' : `${(s.loss * 100).toFixed(0)}%`}  ` +
    `host ↑ ${s.hostSentKBps.toFixed(1)} kB/s ↓ ${s.hostReceivedKBps.toFixed(1)} kB/s  ` +
    `objects ${s.objects}  dropped ${s.dropped}`
  );
}

/** The summary as a table. */
export function formatSummary(s: DemoSummary): string {
  const lines = [
    `meshplay arena: ${s.players.length} peers, topology ${s.topology}, ${s.seconds.toFixed(1)} s, ${s.ticks} host ticks`,
    `host ↑ ${s.hostSentKBps.toFixed(1)} kB/s ↓ ${s.hostReceivedKBps.toFixed(1)} kB/s · objects ${s.objects} · ` +
      `dropped ${s.dropped} · interpolated frames ${(s.interpolatedShare * 100).toFixed(1)}% · ` +
      `scores replicated: ${s.scoresReplicated ? 'yes' : 'NO'}`,
    '',
    'player     moved  seen   shots  answered  hits  score  rtt ms   sent kB  recv kB',
  ];
  for (const p of s.players) {
    lines.push(
      `${p.name.padEnd(9)} ${p.moved.toFixed(1).padStart(6)} ${p.seenMoving.toFixed(1).padStart(5)} ` +
        `${String(p.fired).padStart(6)} ${String(p.answered).padStart(9)} ${String(p.hits).padStart(5)} ` +
        `${String(p.score).padStart(6)}  ${fixed(p.rttMs).padStart(6)} ${p.sentKB.toFixed(1).padStart(9)} ` +
        `${p.receivedKB.toFixed(1).padStart(8)}`,
    );
  }
  return lines.join('\n');
}
