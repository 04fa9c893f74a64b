import { NetworkObject, sync } from '@meshplay/core';

/** One line of the scoreboard: a player object's id and its hits. */
export interface ScoreLine {
  readonly player: number;
  readonly score: number;
}

/**
 * The host's scoreboard: hits per player, sent reliably whenever it changes. Only the host writes
 * it, so scores cannot be forged by the players who earn them.
 */
export class Scoreboard extends NetworkObject {
  @sync({
    mode: 'onChange',
    type: { array: { record: { player: 'varint', score: 'uint16' } }, maxLength: 64 },
  })
  accessor lines: readonly ScoreLine[] = [];

  /** The score of a player object (0 when it has none yet). */
  scoreOf(player: number): number {
    return this.lines.find((line) => line.player === player)?.score ?? 0;
  }

  /** Host: adds a point to `player`. */
  award(player: number): number {
    const score = this.scoreOf(player) + 1;
    this.lines = [...this.lines.filter((line) => line.player !== player), { player, score }];
    return score;
  }

  /** Host: drops the line of a player that left. */
  forget(player: number): void {
    if (this.lines.some((line) => line.player === player))
      this.lines = this.lines.filter((line) => line.player !== player);
  }
}
