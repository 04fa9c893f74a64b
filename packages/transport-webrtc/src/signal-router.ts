import { BadPacketError, type PeerId, TransportError } from '@meshplay/core';
import { CloseReason } from './close-reason.js';
import type { ConnectAttempts } from './connect-attempts.js';
import type { PeerLink } from './peer-link.js';
import { parseSignal, type SignalMessage } from './signal-messages.js';

/** What a {@link SignalRouter} needs from its transport. */
export interface RouterHost {
  /** Whether the transport is closed (then nothing is routed). */
  readonly closed: boolean;
  readonly attempts: ConnectAttempts;
  /** The link to `peer`, connecting or open. */
  link(peer: PeerId): PeerLink | undefined;
  /** Whether the topology wants a link to `peer`. */
  wantsLink(peer: PeerId): boolean;
  /** Whether this side offers to `peer`. */
  offersTo(peer: PeerId): boolean;
  /** Starts the answering side of attempt `attempt` from `peer`. */
  answer(peer: PeerId, attempt: number): PeerLink;
  error(peer: PeerId, error: Error): void;
}

/**
 * Takes the transport's signaling payloads from peers to where they belong: retry requests to
 * the {@link ConnectAttempts}, offers to the answering link they start (or restart), answers and
 * candidates to the link of their attempt.
 */
export class SignalRouter {
  constructor(readonly host: RouterHost) {}

  /** One payload from `from`. Never throws: whatever is wrong with it is an `error` event. */
  route(from: PeerId, payload: unknown): void {
    const { host } = this;
    if (host.closed) return;
    let message: SignalMessage;
    try {
      message = parseSignal(payload);
    } catch (error) {
      host.error(from, error as Error);
      return;
    }
    const link = host.link(from);
    if (message.t === 'retry') {
      if (host.offersTo(from)) host.attempts.retryRequested(from, message.n, link);
      return;
    }
    if (message.t === 'sdp' && message.type === 'offer') {
      this.#offer(from, message, link);
      return;
    }
    // Answers and candidates belong to the current attempt; leftovers of another are ignored.
    if (link && link.attempt === message.n) this.#handle(link, message);
  }

  /** An offer: starts (or restarts, for a newer attempt) the answering side of a link. */
  #offer(from: PeerId, message: SignalMessage & { t: 'sdp' }, existing: PeerLink | undefined): void {
    const { host } = this;
    if (!host.wantsLink(from)) {
      host.error(
        from,
        new TransportError('E_REFUSED', `offer from ${from} refused: a star client links only to the host`),
      );
      return;
    }
    if (!existing && host.offersTo(from)) {
      host.error(from, new BadPacketError(`unexpected SDP offer from ${from} (this side offers)`));
      return;
    }
    let link = existing;
    if (link && !link.offerer) {
      const waiting = link.attempt === 0 && link.awaitingRemote;
      if (message.n < link.attempt) return; // a stale offer, overtaken by a newer attempt
      if (message.n > link.attempt && !waiting) {
        void link.close(CloseReason.Replaced, 'silent');
        link = undefined;
      }
    }
    link ??= host.answer(from, message.n);
    link.adopt(message.n);
    // An offer to the offerer side is refused by the link itself (glare cannot happen by rule).
    this.#handle(link, message);
  }

  /** Hands a message to its link; whatever goes wrong there is an `error` event, never a rejection. */
  #handle(link: PeerLink, message: SignalMessage): void {
    link.handleSignal(message).catch((error: unknown) => {
      this.host.error(link.peer, error instanceof Error ? error : new Error(String(error)));
    });
  }
}
