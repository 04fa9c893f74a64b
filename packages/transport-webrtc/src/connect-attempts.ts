import {
  BadPacketError,
  type PeerId,
  type Scheduler,
  type TimerHandle,
  TransportError,
} from '@meshplay/core';
import { CloseReason } from './close-reason.js';
import type { WebRtcEvents } from './events.js';
import type { PeerLink } from './peer-link.js';
import type { SignalMessage } from './signal-messages.js';

/** Backoff before connection attempt n is `n` times this. */
const RETRY_DELAY_MS = 100;

/** What {@link ConnectAttempts} needs from its transport. */
export interface AttemptsHost {
  readonly scheduler: Scheduler;
  /** Attempts per link before its failure is reported (`connectAttempts`). */
  readonly maxAttempts: number;
  /** Whether the transport is closed (then no attempt starts). */
  readonly closed: boolean;
  /** Whether a link to `peer` exists, connecting or open. */
  hasLink(peer: PeerId): boolean;
  /** Whether the topology wants a link to `peer` and `peer` is still in the room. */
  reachable(peer: PeerId): boolean;
  /** Starts attempt `attempt` to `peer`, this side offering. */
  start(peer: PeerId, attempt: number): void;
  signal(peer: PeerId, message: SignalMessage): void;
  attemptFailed(event: WebRtcEvents['attempt-failed']): void;
  /** The link to `peer` failed for good: an `error` event, and its waiters rejected. */
  failed(peer: PeerId, error: Error): void;
}

/**
 * The numbered connection attempts per peer: the latest one this side offered, the retries
 * waiting out their backoff, and what a link that failed before it opened leads to (another
 * attempt, a request for one, or the failure reported).
 */
export class ConnectAttempts {
  readonly #retries = new Map<PeerId, TimerHandle>();
  /** Latest connection attempt this side offered, per peer. */
  readonly #offered = new Map<PeerId, number>();

  constructor(readonly host: AttemptsHost) {}

  /** This side offers attempt `attempt` to `peer`. */
  offered(peer: PeerId, attempt: number): void {
    this.#offered.set(peer, attempt);
  }

  /** Whether an attempt to `peer` waits out its backoff. */
  retrying(peer: PeerId): boolean {
    return this.#retries.has(peer);
  }

  /** `peer` left the room: no attempt to it is pending any more. */
  forget(peer: PeerId): void {
    this.#offered.delete(peer);
    const retry = this.#retries.get(peer);
    if (retry !== undefined) {
      this.host.scheduler.clearTimeout(retry);
      this.#retries.delete(peer);
    }
  }

  /** The transport is closing: no retry starts. */
  stop(): void {
    for (const timer of this.#retries.values()) this.host.scheduler.clearTimeout(timer);
    this.#retries.clear();
  }

  /**
   * A link closed before it opened. Not a failure when the peer left or replaced it. Otherwise
   * the offerer retries with fresh connections (up to `connectAttempts`) and the answerer asks
   * it to; only the end of the line is reported, by the offerer: an `error` event and rejected
   * waiters. Malformed input from the peer is never retried.
   */
  setupFailed(link: PeerLink, reason: string, error: Error | undefined): void {
    const { host } = this;
    const { peer, attempt } = link;
    if (reason === CloseReason.Left || reason === CloseReason.Replaced) return;
    const failure = error ?? new TransportError('E_NOT_CONNECTED', `link to ${peer} closed (${reason})`);
    if (!(error instanceof BadPacketError)) {
      if (link.offerer) {
        if (attempt < host.maxAttempts && host.reachable(peer)) {
          host.attemptFailed({ peer, attempt, error: failure, retrying: true });
          this.#retry(peer, attempt + 1);
          return;
        }
      } else if (attempt > 0) {
        // The offerer drives retries and reports the final failure; an answerer link that never
        // saw an offer (attempt 0) has nobody else to report its timeout.
        host.attemptFailed({ peer, attempt, error: failure, retrying: true });
        host.signal(peer, { t: 'retry', n: attempt });
        return;
      }
    }
    host.attemptFailed({ peer, attempt, error: failure, retrying: false });
    host.failed(peer, failure);
  }

  /**
   * The answerer's side of attempt `n` died before it was of use (this side offers). If that is
   * still our latest attempt, start over now rather than at our own timeout: the link still
   * trying is failed (and so retried), or, if it already closed under us, a new attempt starts.
   */
  retryRequested(from: PeerId, n: number, link: PeerLink | undefined): void {
    if (this.#offered.get(from) !== n) return;
    const failure = new TransportError('E_TRANSPORT', `${from} could not complete connection attempt ${n}`);
    if (link) {
      if (link.phase === 'connecting') void link.close(CloseReason.Failed, 'silent', failure);
      return;
    }
    if (this.#retries.has(from)) return;
    if (n < this.host.maxAttempts && this.host.reachable(from)) this.#retry(from, n + 1);
  }

  /** Starts attempt `attempt` to `peer` after a short backoff, if it is still wanted then. */
  #retry(peer: PeerId, attempt: number): void {
    const { host } = this;
    const timer = host.scheduler.setTimeout(() => {
      this.#retries.delete(peer);
      if (host.closed || host.hasLink(peer) || !host.reachable(peer)) return;
      host.start(peer, attempt);
    }, RETRY_DELAY_MS * attempt);
    this.#retries.set(peer, timer);
  }
}
