import { every, type Scheduler } from '@meshplay/core';

/**
 * Liveness of one link. libdatachannel notices a vanished peer only after 13–28 s, so every
 * datagram received (of any kind) marks the peer alive, and heartbeat pings make sure a quiet
 * peer still sends something. Marking is a flag set per datagram (no clock read on the hot path);
 * the heartbeat tick turns it into a timestamp.
 */
export class Liveness {
  /** Set on every datagram received from the peer. */
  heard = false;
  #lastHeard: number;
  #rttMs: number | undefined;

  constructor(now: number) {
    this.#lastHeard = now;
  }

  /**
   * Called once per heartbeat tick. Returns true when the peer has been silent for longer than
   * `timeoutMs`. After an event-loop stall nobody could have been heard (their datagrams wait
   * behind the stall), so a stalled tick counts as hearing everyone.
   */
  silent(now: number, timeoutMs: number, stalled: boolean): boolean {
    if (this.heard || stalled) {
      this.heard = false;
      this.#lastHeard = now;
      return false;
    }
    return now - this.#lastHeard > timeoutMs;
  }

  /** Folds one round-trip sample into the smoothed RTT (RFC 6298 weights). */
  sample(rttMs: number): void {
    if (!(rttMs >= 0) || !Number.isFinite(rttMs)) return;
    this.#rttMs = this.#rttMs === undefined ? rttMs : this.#rttMs + (rttMs - this.#rttMs) / 8;
  }

  /** Smoothed round-trip time in ms, once a pong came back. */
  get rttMs(): number | undefined {
    return this.#rttMs;
  }
}

/**
 * One timer for the whole transport: calls `tick(now, stalled)` every `intervalMs`. `stalled`
 * is true when the tick itself came late by more than an interval (a blocked event loop), so
 * links do not mistake their own process's stall for a silent peer.
 */
export class HeartbeatClock {
  readonly #stop: () => void;
  #last: number;

  constructor(scheduler: Scheduler, intervalMs: number, tick: (now: number, stalled: boolean) => void) {
    this.#last = scheduler.now();
    this.#stop = every(scheduler, intervalMs, () => {
      const now = scheduler.now();
      const stalled = now - this.#last > 2 * intervalMs;
      this.#last = now;
      tick(now, stalled);
    });
  }

  /** Stops ticking for good. */
  stop(): void {
    this.#stop();
  }
}
