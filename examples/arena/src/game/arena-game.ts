import {
  createEmitter,
  type Emitter,
  type NetworkObject,
  type PeerId,
  Replication,
  Session,
  type Topology,
  type Transport,
} from '@meshplay/core';
import { ArenaService, type ShotEvent, type ShotResult } from './arena-service.js';
import { ArenaError, nameProblem } from './errors.js';
import { NetStats } from './net-stats.js';
import { move, Player, registerPlayer } from './player.js';
import { ARENA, HIT_RADIUS, type MoveInput, rayHit, SHOT_RANGE, TICK_RATE } from './rules.js';
import { Scoreboard } from './scoreboard.js';

/** How an {@link ArenaGame} starts. */
export interface ArenaGameOptions {
  /** The network (a WebRTC transport in the demo and the browser). */
  transport: Transport;
  /** `host`: a star around the host; `mesh`: everyone linked to everyone. */
  topology: Topology;
  /** Whether this peer starts the session as its host. */
  role: 'host' | 'client';
  /** Display name, 1–24 characters. */
  name: string;
  /** Client: give up joining after this long (links to a busy host can take a while). Default 30 000 ms. */
  joinTimeoutMs?: number;
}

/** What a peer counted of its own shots. */
export interface ShotCounters {
  fired: number;
  /** Shots the host answered (the RPC's return value arrived). */
  answered: number;
  hits: number;
  /** Shots that failed (timeout, refusal, session closed). */
  failed: number;
}

/** Events of an {@link ArenaGame}. */
export type ArenaEvents = {
  /** A shot was fired by anyone (the host broadcasts them). */
  shot: ShotEvent;
  /** This peer's own player appeared. */
  ready: { player: Player };
  /** Another peer hailed this one (and got `answer`). */
  hailed: { from: PeerId; text: string; answer: string };
  /** Before game logic on every tick (bots steer here). */
  tick: { tick: number; dt: number };
};

/**
 * The arena game on one peer: a session with the replication plugin and the `arena` service.
 * Every peer has one {@link Player}; the host also owns the {@link Scoreboard}. Movement comes
 * from {@link input} (held keys or a bot), applied once per tick; shots are requests to the host,
 * which checks them against its own view of the players and answers with the result.
 */
export class ArenaGame {
  readonly events: Emitter<ArenaEvents> = createEmitter<ArenaEvents>();
  readonly session: Session;
  readonly replication: Replication;
  readonly stats: NetStats;
  readonly topology: Topology;
  readonly name: string;
  /** The movement applied on every tick until changed. */
  input: MoveInput = { dx: 0, dy: 0 };
  /** This peer's own shots. */
  readonly shots: ShotCounters = { fired: 0, answered: 0, hits: 0, failed: 0 };
  /** Distance this peer's own player travelled, units (as this peer sees it). */
  travelled = 0;
  #me: Player | undefined;
  #scoreboard: Scoreboard | undefined;
  readonly #service: ArenaService;
  /** Host: display names that joining peers sent with their credentials. */
  readonly #names = new Map<PeerId, string>();
  #closed = false;
  readonly #player: Promise<Player>;
  #settle!: { resolve(player: Player): void; reject(error: Error): void };

  constructor(options: ArenaGameOptions) {
    const problem = nameProblem(options.name);
    if (problem) throw new ArenaError('E_BAD_NAME', `name ${JSON.stringify(options.name)} ${problem}`);
    this.name = options.name;
    this.topology = options.topology;
    this.session = new Session({
      transport: options.transport,
      topology: options.topology,
      role: options.role,
      credentials: { name: options.name },
      joinTimeoutMs: options.joinTimeoutMs ?? 30_000,
      auth: (peer, credentials) => this.#admit(peer, credentials),
    });
    this.stats = new NetStats(this.session);
    this.replication = new Replication({ rate: TICK_RATE });
    registerPlayer(this.replication, options.topology);
    this.replication.register(Scoreboard, 'Scoreboard', { spawnLimit: 0 });
    this.session.use(this.replication);
    this.#service = this.session.register('arena', new ArenaService(this.session, this.#rules()));
    this.replication.events.on('spawned', ({ object }) => this.#spawned(object));
    this.replication.events.on('despawned', ({ object }) => this.#despawned(object));
    this.session.events.on('peer-joined', ({ peer }) => this.#peerJoined(peer));
    this.replication.loop.onTick = (tick, dt) => this.#tick(tick, dt);
    this.#player = new Promise<Player>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // Nobody may be waiting yet: keep an early failure from counting as unhandled.
    this.#player.catch(() => undefined);
    this.session.ready().then(
      () => {
        try {
          this.#start();
        } catch (error) {
          this.#settle.reject(error as Error);
        }
      },
      (error: Error) => this.#settle.reject(error),
    );
  }

  /** This peer's player, once spawned. */
  get me(): Player | undefined {
    return this.#me;
  }

  /** The scoreboard, once spawned (the host's, or this peer's copy of it). */
  get scoreboard(): Scoreboard | undefined {
    return this.#scoreboard;
  }

  /** Every player this peer knows, in id order. */
  players(): Player[] {
    return this.replication.objects().filter((o): o is Player => o instanceof Player);
  }

  /** Where to draw `player` now: interpolated for remote players, current for this peer's own. */
  position(player: Player): { x: number; y: number } {
    const smoothed = this.replication.smoothed(player);
    return { x: smoothed.x ?? player.x, y: smoothed.y ?? player.y };
  }

  /**
   * Resolves once this peer's player exists; rejects when the session refuses this peer or the
   * game cannot start, or after `timeoutMs` (`E_TIMEOUT`).
   */
  ready(timeoutMs = 40_000): Promise<Player> {
    if (this.#me) return Promise.resolve(this.#me);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new ArenaError('E_TIMEOUT', `no player after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#player.then(resolve, reject).finally(() => clearTimeout(timer));
    });
  }

  /** Fires at `angle` (radians): the host decides what it hit and answers with the new score. */
  async shoot(angle: number): Promise<ShotResult> {
    this.shots.fired++;
    try {
      const result = this.session.isHost
        ? this.#resolveShot(this.session.id, angle)
        : await this.session.request(this.#service, { to: 'host', timeout: 5000 }).shoot(angle);
      this.shots.answered++;
      if (result.hit !== 0) this.shots.hits++;
      return result;
    } catch (error) {
      this.shots.failed++;
      throw error;
    }
  }

  /** Hails `peer`, which answers with a line of its own. */
  hail(peer: PeerId, text: string): Promise<string> {
    return this.session.request(this.#service, { to: peer, timeout: 5000 }).hail(text);
  }

  /** Non-host: sends one unreliable loss probe to the host (the overlay calls this a few times a second). */
  probe(): void {
    if (this.session.isHost || !this.session.connected) return;
    this.stats.probe((seq) => this.session.rpc(this.#service, { to: 'host' }).probe(seq));
  }

  /** The score of a player object, as this peer's scoreboard says. */
  scoreOf(player: Player): number {
    return this.#scoreboard?.scoreOf(player.id) ?? 0;
  }

  /** Leaves the session and closes the transport. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.replication.stop();
    await this.session.close();
  }

  // ---- internals ----

  #admit(peer: PeerId, credentials: unknown): true | string {
    const name = (credentials as { name?: unknown } | null)?.name;
    const problem = nameProblem(name);
    if (problem) return `name ${problem}`;
    this.#names.set(peer, name as string);
    return true;
  }

  #start(): void {
    if (this.session.isHost) this.#scoreboard = this.replication.spawn(Scoreboard);
    // In a star the host spawns every player (it simulates them all); in a mesh each peer its own.
    if (this.session.isHost || this.topology === 'mesh') this.#spawnPlayer(this.session.id, this.name);
    if (this.session.isHost && this.topology === 'host') {
      for (const peer of this.session.peers()) this.#peerJoined(peer);
    }
  }

  #peerJoined(peer: PeerId): void {
    if (!this.session.isHost || this.topology !== 'host' || !this.session.connected) return;
    if (this.players().some((p) => p.owner === peer)) return;
    this.#spawnPlayer(peer, this.#names.get(peer) ?? 'player');
  }

  #spawnPlayer(owner: PeerId, name: string): void {
    const hue = (hash(owner) * 137) % 360;
    const x = 2 + (hash(`${owner}x`) % (ARENA.width - 4));
    const y = 2 + (hash(`${owner}y`) % (ARENA.height - 4));
    this.replication.spawn(Player, { name, hue, x, y }, owner === this.session.id ? {} : { owner });
  }

  #spawned(object: NetworkObject): void {
    if (object instanceof Scoreboard) this.#scoreboard = object;
    if (object instanceof Player && object.owner === this.session.id && !this.#me) {
      this.#me = object;
      this.#settle.resolve(object);
      this.events.emit('ready', { player: object });
    }
  }

  #despawned(object: NetworkObject): void {
    if (object === this.#me) this.#me = undefined;
    if (object instanceof Player && this.session.isHost) this.#scoreboard?.forget(object.id);
  }

  #tick(tick: number, dt: number): void {
    this.events.emit('tick', { tick, dt });
    const me = this.#me;
    if (!me?.isSpawned) return;
    const before = { x: me.x, y: me.y };
    if (this.topology === 'host') this.replication.input(me, this.input);
    else move(me, this.input, dt);
    this.travelled += Math.hypot(me.x - before.x, me.y - before.y);
  }

  #resolveShot(peer: PeerId, angle: number): ShotResult {
    const players = this.players();
    const shooter = players.find((p) => p.owner === peer);
    if (!shooter) throw new ArenaError('E_NO_PLAYER', 'the shooter has no player');
    let hit: Player | undefined;
    let nearest = SHOT_RANGE;
    for (const target of players) {
      if (target === shooter) continue;
      const distance = rayHit(shooter.x, shooter.y, angle, target.x, target.y, HIT_RADIUS, SHOT_RANGE);
      if (distance !== undefined && distance < nearest) {
        nearest = distance;
        hit = target;
      }
    }
    const board = this.#scoreboard;
    const score = hit && board ? board.award(shooter.id) : (board?.scoreOf(shooter.id) ?? 0);
    const shot: ShotEvent = {
      shooter: shooter.id,
      x: shooter.x,
      y: shooter.y,
      angle,
      length: nearest,
      hit: hit?.id ?? 0,
    };
    this.events.emit('shot', shot);
    this.session.rpc(this.#service, { except: this.session.id }).shotFired(shot);
    return { hit: shot.hit, score };
  }

  #rules() {
    return {
      resolveShot: (peer: PeerId, angle: number) => this.#resolveShot(peer, angle),
      shotSeen: (shot: ShotEvent) => this.events.emit('shot', shot),
      answerHail: (from: PeerId, text: string) => {
        const answer = `${this.name} hears "${text}"`;
        this.events.emit('hailed', { from, text, answer });
        return answer;
      },
      probeEchoed: (seq: number) => this.stats.echoed(seq),
    };
  }
}

/** A small stable hash of a string (spawn points and colours from peer ids). */
function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
