import { type PeerId, rpc, type Session } from '@meshplay/core';
import { ArenaError } from './errors.js';
import { SHOTS_PER_SECOND } from './rules.js';

/** What the host answers to a shot. */
export interface ShotResult {
  /** The id of the player object hit, 0 for a miss. */
  hit: number;
  /** The shooter's score after this shot. */
  score: number;
}

/** A shot as everyone sees it (drawn as a tracer). */
export interface ShotEvent {
  shooter: number;
  x: number;
  y: number;
  angle: number;
  length: number;
  hit: number;
}

/** What the game behind the service does; the service only checks and forwards. */
export interface ArenaRules {
  /** Host: resolves a shot of `peer` (its player's position is the host's view of it). */
  resolveShot(peer: PeerId, angle: number): ShotResult;
  /** Any peer: a shot happened. */
  shotSeen(shot: ShotEvent): void;
  /** Any peer: answers a hail. */
  answerHail(from: PeerId, text: string): string;
  /** Non-host: the host echoed probe `seq`. */
  probeEchoed(seq: number): void;
}

/**
 * The arena's RPC surface, registered as the session service `arena` on every peer. Calls from
 * the network are checked here (types, ranges) before the game sees them.
 */
export class ArenaService {
  constructor(
    private readonly session: Session,
    private readonly rules: ArenaRules,
  ) {}

  /** Client → host: fire at `angle` (radians); answers whether it hit and the new score. */
  @rpc({ mode: 'any', rateLimit: SHOTS_PER_SECOND })
  shoot(angle: number): ShotResult {
    if (!this.session.isHost) throw new ArenaError('E_NOT_HOST', 'shots go to the host');
    if (typeof angle !== 'number' || !Number.isFinite(angle))
      throw new ArenaError('E_BAD_SHOT', 'the angle must be a finite number');
    return this.rules.resolveShot(this.session.remoteSender ?? this.session.id, angle);
  }

  /** Host → everyone: a shot was fired (for drawing; scores travel on the scoreboard). */
  @rpc({ mode: 'authority', transfer: 'unreliable' })
  shotFired(shot: ShotEvent): void {
    if (typeof shot !== 'object' || shot === null) return;
    this.rules.shotSeen(shot);
  }

  /** Anyone → anyone: a greeting, answered by the receiver (the browser proof's RPC). */
  @rpc({ mode: 'any', rateLimit: 20 })
  hail(text: string): string {
    if (typeof text !== 'string' || text.length > 200)
      throw new ArenaError('E_BAD_HAIL', 'a hail is a string of at most 200 characters');
    return this.rules.answerHail(this.session.remoteSender ?? this.session.id, text);
  }

  /** Client → host, unreliable: a loss probe, echoed back the same way. */
  @rpc({ mode: 'any', transfer: 'unreliable', rateLimit: 20 })
  probe(seq: number): void {
    const sender = this.session.remoteSender;
    if (!this.session.isHost || !sender || typeof seq !== 'number') return;
    this.session.rpc(this as ArenaService, { to: sender }).probeEcho(seq);
  }

  /** Host → client, unreliable: the echo of a loss probe. */
  @rpc({ mode: 'authority', transfer: 'unreliable' })
  probeEcho(seq: number): void {
    if (typeof seq === 'number') this.rules.probeEchoed(seq);
  }
}
