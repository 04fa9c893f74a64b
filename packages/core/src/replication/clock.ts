/** How a {@link ClockSync} filters and slews. */
export interface ClockSyncOptions {
  /** Samples kept (newest). Default 16. */
  window?: number;
  /** Most the applied offset moves per ms of local time while slewing (0.05: 50 ms a second). */
  slewRate?: number;
  /** An error larger than this (ms) is corrected by a jump, not a slew. Default 250. */
  jumpThresholdMs?: number;
}

interface Sample {
  rtt: number;
  offset: number;
}

/**
 * A client's estimate of the host's clock, NTP-style: each probe gives a round trip and an offset
 * (host time at the reply + half the round trip − local receive time). Samples with long round
 * trips (queueing, retransmits) are discarded, the median offset of the fastest third is the
 * target, and the applied offset slews toward it so estimated host time never jumps back (a first
 * sample, or an error beyond `jumpThresholdMs`, jumps).
 */
export class ClockSync {
  readonly #samples: Sample[] = [];
  readonly #window: number;
  readonly #slewRate: number;
  readonly #jumpMs: number;
  #applied = 0;
  #target = 0;
  #lastLocal = Number.NaN;
  #synced = false;

  constructor(options: ClockSyncOptions = {}) {
    this.#window = options.window ?? 16;
    this.#slewRate = options.slewRate ?? 0.05;
    this.#jumpMs = options.jumpThresholdMs ?? 250;
  }

  /** Whether at least one sample arrived. */
  get synced(): boolean {
    return this.#synced;
  }

  /** The round trip of the best recent sample, ms (NaN before the first). */
  get rtt(): number {
    let best = Number.NaN;
    for (const s of this.#samples) if (!(s.rtt >= best)) best = s.rtt;
    return best;
  }

  /** The offset being converged to (host − local, ms). */
  get targetOffset(): number {
    return this.#target;
  }

  /**
   * Adds a probe: sent at local time `sentAt`, answered with the host's time `hostTime`, received
   * at local time `receivedAt`; the probe waited `heldMs` on the host before it was answered.
   */
  addSample(sentAt: number, hostTime: number, receivedAt: number, heldMs = 0): void {
    const held = Number.isFinite(heldMs) && heldMs > 0 ? heldMs : 0;
    const rtt = receivedAt - sentAt - held;
    if (!(rtt >= 0) || !Number.isFinite(hostTime)) return;
    this.#samples.push({ rtt, offset: hostTime + rtt / 2 - receivedAt });
    if (this.#samples.length > this.#window) this.#samples.shift();
    const fastest = [...this.#samples].sort((a, b) => a.rtt - b.rtt);
    const keep = fastest.slice(0, Math.max(1, Math.ceil(fastest.length / 3)));
    const offsets = keep.map((s) => s.offset).sort((a, b) => a - b);
    this.#target = offsets[offsets.length >> 1]!;
    this.#advance(receivedAt);
    if (!this.#synced || Math.abs(this.#target - this.#applied) > this.#jumpMs) {
      this.#applied = this.#target;
      this.#synced = true;
    }
  }

  /** Estimated host time at local time `localNow` (non-decreasing in `localNow`). */
  hostTime(localNow: number): number {
    this.#advance(localNow);
    return localNow + this.#applied;
  }

  /** Slews the applied offset toward the target for the local time elapsed since last asked. */
  #advance(localNow: number): void {
    const elapsed = Number.isNaN(this.#lastLocal) ? 0 : localNow - this.#lastLocal;
    if (elapsed > 0 || Number.isNaN(this.#lastLocal)) this.#lastLocal = localNow;
    if (elapsed <= 0) return;
    const step = elapsed * this.#slewRate;
    const error = this.#target - this.#applied;
    this.#applied += Math.abs(error) <= step ? error : Math.sign(error) * step;
  }
}
