import type { Scheduler, TimerHandle } from '@meshplay/core';
import { CloseReason } from './close-reason.js';
import { type Bye, byeFrame } from './framing.js';
import type { LinkChannel } from './link-channel.js';

/**
 * Longest a graceful close waits for the peer to close in answer to its `Bye` (time for what was
 * sent before to arrive), and a peer waits for those frames after the `Bye`.
 */
const BYE_GRACE_MS = 5000;
/** The same wait after an aborted link (a failure here), whose peer may well be gone. */
const ABORT_GRACE_MS = 500;

/**
 * A link's `Bye` handshake, both ways. Going down, the link sends a `Bye` with the reason and the
 * number of frames each reliable channel carried, and keeps the connection up until the peer
 * closes in answer. Hearing the peer's `Bye`, it closes once every frame announced there arrived.
 */
export class ByeHandshake {
  #received: Bye | undefined;
  #timer: TimerHandle | undefined;
  #onPeerClosed: (() => void) | undefined;

  /**
   * @param channels the link's channels, by index (filled as they are created)
   * @param close closes the link without a word (the peer said `Bye`) with the peer's reason
   */
  constructor(
    readonly scheduler: Scheduler,
    readonly channels: readonly LinkChannel[],
    readonly close: (reason: string) => void,
  ) {}

  /** Why the link closes now that the peer closed: the reason in its `Bye`, if one came. */
  get reason(): string {
    return this.#received?.reason || CloseReason.Gone;
  }

  /**
   * Sends our `Bye` on `reliable`. Resolves when the peer closes (or says `Bye` itself), or after
   * {@link BYE_GRACE_MS} (a graceful close) or `ABORT_GRACE_MS` (a failure) at the latest.
   */
  send(reliable: LinkChannel, reason: string, graceful: boolean): Promise<void> {
    const sent = new Map<number, number>();
    for (const channel of this.channels) if (channel.reliable) sent.set(channel.index, channel.framesSent);
    reliable.sendControl(byeFrame({ reason, sent }));
    return this.#peerClosed(graceful ? BYE_GRACE_MS : ABORT_GRACE_MS);
  }

  /** The peer closed, or its `Bye` answered ours: stop waiting for it. */
  peerClosed(): void {
    this.#onPeerClosed?.();
  }

  /** The link is closing anyway: stop waiting for what the peer's `Bye` announced. */
  cancel(): void {
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#received = undefined;
  }

  /**
   * The peer said `Bye`: close once every reliable frame it sent before has arrived (they may
   * trail the `Bye` on other streams), or after {@link BYE_GRACE_MS} at the latest.
   */
  received(bye: Bye): void {
    if (this.#received) return;
    this.#received = bye;
    this.#timer = this.scheduler.setTimeout(() => {
      this.close(bye.reason || CloseReason.Gone);
    }, BYE_GRACE_MS);
    this.check();
  }

  /** After each datagram: closes the link if the peer said `Bye` and all it announced has arrived. */
  check(): void {
    const bye = this.#received;
    if (!bye) return;
    for (const [index, frames] of bye.sent) {
      const channel = this.channels[index];
      if (channel?.reliable && channel.framesReceived < frames) return;
    }
    this.close(bye.reason || CloseReason.Gone);
  }

  /** Resolves when the peer closes (or says `Bye` itself), or after `graceMs`. */
  #peerClosed(graceMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.scheduler.setTimeout(() => done(), graceMs);
      const done = () => {
        this.scheduler.clearTimeout(timer);
        this.#onPeerClosed = undefined;
        resolve();
      };
      this.#onPeerClosed = done;
    });
  }
}
