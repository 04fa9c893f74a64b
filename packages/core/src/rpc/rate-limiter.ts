/**
 * A token bucket: `rate` tokens per second, holding at most `rate` (so a burst of one second's
 * worth is allowed, and no more).
 */
export class TokenBucket {
  #tokens: number;
  #updated: number;

  constructor(
    private readonly rate: number,
    now: number,
  ) {
    this.#tokens = rate;
    this.#updated = now;
  }

  /** Takes one token if there is one. */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.#updated) / 1000;
    this.#updated = now;
    this.#tokens = Math.min(this.rate, this.#tokens + elapsed * this.rate);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
