import type { PeerId } from '../ids.js';
import { every, type Scheduler, type TimerHandle } from '../scheduler.js';

/** One open transport link, as the session sees it. */
export interface Link {
  readonly peer: PeerId;
  /** When anything last arrived on it. */
  lastHeard: number;
  /** Newest heartbeat round trip, ms. */
  rttMs: number | undefined;
  /** Host side: the peer completed the handshake. */
  admitted: boolean;
  /** The link is being closed (kick, refusal): nothing more from it is applied. */
  closing: boolean;
  /** The link is gone (closed by either side): nothing more from it is applied. */
  closed: boolean;
  /** Datagrams that arrived before the host announced this peer (mesh), replayed once it does. */
  early: { channel: number; data: Uint8Array }[];
  /** Host side: refuses the peer if it does not say hello in time. */
  helloTimer: TimerHandle | undefined;
}

/**
 * The session's transport links and their liveness: every interval each link gets a ping, and a
 * link silent for longer than the timeout is declared dead (a vanished peer is noticed in seconds,
 * not the 13–28 s a WebRTC stack takes on its own).
 */
export class Links {
  readonly #links = new Map<PeerId, Link>();
  #stop: (() => void) | undefined;

  constructor(private readonly scheduler: Scheduler) {}

  open(peer: PeerId): Link {
    const link: Link = {
      peer,
      lastHeard: this.scheduler.now(),
      rttMs: undefined,
      admitted: false,
      closing: false,
      closed: false,
      early: [],
      helloTimer: undefined,
    };
    this.#links.set(peer, link);
    return link;
  }

  close(peer: PeerId): Link | undefined {
    const link = this.#links.get(peer);
    if (!link) return undefined;
    this.#links.delete(peer);
    link.closed = true;
    if (link.helloTimer !== undefined) this.scheduler.clearTimeout(link.helloTimer);
    return link;
  }

  get(peer: PeerId): Link | undefined {
    return this.#links.get(peer);
  }

  has(peer: PeerId): boolean {
    return this.#links.has(peer);
  }

  all(): IterableIterator<Link> {
    return this.#links.values();
  }

  /** Starts heartbeats: `ping(link)` each interval, `dead(link)` for links silent past the timeout. */
  start(intervalMs: number, timeoutMs: number, ping: (link: Link) => void, dead: (link: Link) => void): void {
    this.#stop?.();
    this.#stop = every(this.scheduler, intervalMs, () => {
      const now = this.scheduler.now();
      for (const link of [...this.#links.values()]) {
        if (now - link.lastHeard > timeoutMs) dead(link);
        else if (!link.closing) ping(link);
      }
    });
  }

  stop(): void {
    this.#stop?.();
    this.#stop = undefined;
    for (const link of this.#links.values()) {
      link.closed = true;
      if (link.helloTimer !== undefined) this.scheduler.clearTimeout(link.helloTimer);
    }
    this.#links.clear();
  }
}
