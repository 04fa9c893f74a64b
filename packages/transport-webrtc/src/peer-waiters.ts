import { type PeerId, type Scheduler, type TimerHandle, TransportError } from '@meshplay/core';

interface Waiter {
  resolve(): void;
  reject(error: Error): void;
}

/** Promises waiting for a link to a peer to open (`waitForPeer`), each with its own deadline. */
export class PeerWaiters {
  readonly #waiters = new Map<PeerId, Set<Waiter>>();

  constructor(readonly scheduler: Scheduler) {}

  /** Resolves on {@link settle} without an error; rejects with its error, or `E_TIMEOUT` after `timeoutMs`. */
  wait(peer: PeerId, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let timer: TimerHandle | undefined;
      const waiters = this.#waiters.get(peer) ?? new Set<Waiter>();
      this.#waiters.set(peer, waiters);
      const waiter: Waiter = {
        resolve: () => {
          if (timer !== undefined) this.scheduler.clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          if (timer !== undefined) this.scheduler.clearTimeout(timer);
          reject(error);
        },
      };
      waiters.add(waiter);
      timer = this.scheduler.setTimeout(() => {
        waiters.delete(waiter);
        reject(new TransportError('E_TIMEOUT', `no open link to ${peer} after ${timeoutMs} ms`));
      }, timeoutMs);
    });
  }

  /** The link to `peer` opened (no `error`) or failed for good. */
  settle(peer: PeerId, error?: Error): void {
    const waiters = this.#waiters.get(peer);
    if (!waiters) return;
    this.#waiters.delete(peer);
    for (const waiter of waiters) {
      if (error) waiter.reject(error);
      else waiter.resolve();
    }
  }

  /** Fails every waiter (the transport is closing). */
  rejectAll(error: Error): void {
    for (const peer of [...this.#waiters.keys()]) this.settle(peer, error);
  }
}
