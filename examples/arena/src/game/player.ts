import { NetworkObject, type Replication, sync, type Topology } from '@meshplay/core';
import { ARENA, axis, clamp, type MoveInput, SPEED } from './rules.js';

/**
 * One player's avatar. Position travels every tick (quantised to 1 cm) and renders interpolated
 * on the other peers; name and colour travel once, with the spawn.
 */
export class Player extends NetworkObject {
  @sync({ quantize: { step: 0.01 } }) accessor x = 0;
  @sync({ quantize: { step: 0.01 } }) accessor y = 0;
  @sync({ mode: 'spawn', type: 'string' }) accessor name = '';
  @sync({ mode: 'spawn', type: 'uint16' }) accessor hue = 0;
}

/** One step of movement: the same code runs on the owner (predicting) and on the host. */
export function move(player: Player, input: MoveInput, dt: number): void {
  const dx = axis(input.dx);
  const dy = axis(input.dy);
  // Diagonals are no faster than straight lines.
  const scale = dx !== 0 && dy !== 0 ? Math.SQRT1_2 : 1;
  player.x = clamp(player.x + dx * SPEED * scale * dt, ARENA.width);
  player.y = clamp(player.y + dy * SPEED * scale * dt, ARENA.height);
}

/**
 * Registers the player class. In a star the host simulates every player from its owner's inputs
 * and the owner predicts; in a mesh each peer moves its own player and sends it to everyone
 * (core predicts only host-simulated objects).
 */
export function registerPlayer(replication: Replication, topology: Topology): void {
  if (topology === 'host') {
    replication.register<Player, MoveInput>(Player, 'Player', {
      spawnLimit: 1,
      predict: { input: { record: { dx: 'int8', dy: 'int8' } }, apply: move },
    });
  } else {
    replication.register(Player, 'Player', { spawnLimit: 1 });
  }
}
