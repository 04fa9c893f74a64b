/** Limits of one connection's message rate: a sustained rate with room for bursts. */
export interface RateLimit {
  /** Messages per second, sustained. */
  perSecond: number;
  /** Messages allowed at once (ICE trickle arrives in bursts). */
  burst: number;
}

/** A token bucket: `take()` is false once the connection exceeds its {@link RateLimit}. */
export class TokenBucket {
  readonly #limit: RateLimit;
  #tokens: number;
  #at: number;

  constructor(limit: RateLimit, now = performance.now()) {
    this.#limit = limit;
    this.#tokens = limit.burst;
    this.#at = now;
  }

  /** Spends one token; false when none is left. */
  take(now = performance.now()): boolean {
    this.#tokens = Math.min(
      this.#limit.burst,
      this.#tokens + ((now - this.#at) / 1000) * this.#limit.perSecond,
    );
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
