import { ConfigError } from '../errors.js';
import type { Rng } from './rng.js';

/** How one direction of a simulated link treats the datagrams crossing it. */
export interface LinkConfig {
  /** One-way delay in milliseconds. */
  readonly latency: number;
  /** Uniform random variation of the delay, ± this many milliseconds (the delay never goes below 0). */
  readonly jitter: number;
  /** Probability (0..1) that one transmission attempt is lost. */
  readonly loss: number;
  /** Probability (0..1) that an unreliable datagram arrives twice. */
  readonly duplicate: number;
  /** Probability (0..1) that a datagram is held back by an extra delay, so later ones overtake it. */
  readonly reorder: number;
  /** Bytes per second leaving the sender (`Infinity`: no cap); datagrams queue behind each other. */
  readonly bandwidth: number;
}

/** A perfect link: instant, lossless, unlimited. */
export const PERFECT_LINK: LinkConfig = Object.freeze({
  latency: 0,
  jitter: 0,
  loss: 0,
  duplicate: 0,
  reorder: 0,
  bandwidth: Number.POSITIVE_INFINITY,
});

/** Unreliable datagrams that would wait longer than this in a bandwidth queue are dropped. */
export const QUEUE_DROP_MS = 1000;

/** Smallest retransmission timeout, whatever the latency. */
export const MIN_RTO_MS = 30;

/**
 * Attempts after which a reliable datagram on a link losing (nearly) everything is delivered
 * anyway, so `loss: 1` stalls a reliable channel for a long while instead of forever.
 */
export const MAX_RELIABLE_ATTEMPTS = 100;

const PROBABILITIES = ['loss', 'duplicate', 'reorder'] as const;

/** Merges `patch` over `base`, refusing values that cannot mean anything. */
export function resolveLinkConfig(base: LinkConfig, patch: Partial<LinkConfig> = {}): LinkConfig {
  const config = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!(key in PERFECT_LINK)) throw new ConfigError(`unknown link option '${key}'`);
    (config as Record<string, number>)[key] = value as number;
  }
  for (const key of PROBABILITIES) {
    const p = config[key];
    if (!(p >= 0 && p <= 1)) throw new ConfigError(`link ${key} must be within 0..1, got ${p}`);
  }
  if (!(config.latency >= 0 && Number.isFinite(config.latency))) {
    throw new ConfigError(`link latency must be a finite number >= 0, got ${config.latency}`);
  }
  if (!(config.jitter >= 0 && Number.isFinite(config.jitter))) {
    throw new ConfigError(`link jitter must be a finite number >= 0, got ${config.jitter}`);
  }
  if (!(config.bandwidth > 0)) throw new ConfigError(`link bandwidth must be > 0, got ${config.bandwidth}`);
  return Object.freeze(config);
}

/** The retransmission timeout a reliable channel waits before resending a lost datagram. */
export function retransmitTimeout(config: LinkConfig): number {
  return Math.max(3 * config.latency, MIN_RTO_MS);
}

/** One attempt's one-way delay: latency, ± jitter, plus a reorder hold-back with its probability. */
export function transitDelay(config: LinkConfig, rng: Rng): number {
  let delay = config.latency;
  if (config.jitter > 0) delay += (rng.next() * 2 - 1) * config.jitter;
  if (config.reorder > 0 && rng.next() < config.reorder) {
    // Long enough to let a few later datagrams pass, whatever the latency.
    delay += (0.5 + rng.next()) * Math.max(config.latency, 2 * config.jitter, 10);
  }
  return Math.max(delay, 0);
}

/**
 * Counts lost attempts before one gets through: returns the number of retransmissions, or -1 when
 * all `maxAttempts` were lost. Each retransmission costs the sender one {@link retransmitTimeout}.
 */
export function lostAttempts(config: LinkConfig, rng: Rng, maxAttempts: number): number {
  if (config.loss <= 0) return 0;
  let lost = 0;
  while (rng.next() < config.loss) {
    lost++;
    if (lost >= maxAttempts) return -1;
  }
  return lost;
}
