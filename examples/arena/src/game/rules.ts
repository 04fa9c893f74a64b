/** The arena's size, in world units (the browser draws one unit as 20 pixels). */
export const ARENA = { width: 40, height: 24 } as const;

/** Ticks per second of the host's loop (and of every client's, on the host's clock). */
export const TICK_RATE = 30;

/** Player speed, units per second. */
export const SPEED = 8;

/** A shot reaches this far, units. */
export const SHOT_RANGE = 30;

/** A shot hits a player whose centre passes within this distance of its line, units. */
export const HIT_RADIUS = 0.7;

/** Most shots per second one peer may fire (the RPC's rate limit). */
export const SHOTS_PER_SECOND = 8;

/** One tick of movement input: each axis is -1, 0 or 1. */
export interface MoveInput {
  dx: number;
  dy: number;
}

/** Clamps a movement axis to -1..1 (inputs arrive from the network, so never trust them). */
export function axis(value: number): number {
  return value > 0 ? 1 : value < 0 ? -1 : 0;
}

/** Keeps a coordinate inside the arena. */
export function clamp(value: number, max: number): number {
  return Math.min(max, Math.max(0, value));
}

/**
 * Distance along the ray from (x, y) in direction `angle` to the point (px, py) when it passes
 * within `radius` of it and within range; undefined when the ray misses.
 */
export function rayHit(
  x: number,
  y: number,
  angle: number,
  px: number,
  py: number,
  radius = HIT_RADIUS,
  range = SHOT_RANGE,
): number | undefined {
  const dx = Math.cos(angle);
  const dy = Math.sin(angle);
  const along = (px - x) * dx + (py - y) * dy;
  if (along < 0 || along > range) return undefined;
  const across = Math.abs((px - x) * dy - (py - y) * dx);
  return across <= radius ? along : undefined;
}
