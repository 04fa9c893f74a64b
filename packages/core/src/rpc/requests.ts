import { type ErrorCodeName, RpcFailedError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Scheduler, TimerHandle } from '../scheduler.js';

interface Pending {
  readonly target: PeerId;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: TimerHandle;
  readonly cleanup: () => void;
}

/**
 * Requests waiting for a result: each settles exactly once, by its result, its timeout, its
 * AbortSignal, its target leaving, or the session closing.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(private readonly scheduler: Scheduler) {}

  /** Registers a request to `target`; returns its id and the promise of its result. */
  open(
    target: PeerId,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    what: string,
  ): [number, Promise<unknown>] {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0x7fffffff ? 1 : this.#nextId + 1;
    const promise = new Promise<unknown>((resolve, reject) => {
      if (signal?.aborted) {
        reject(
          new RpcFailedError('E_RPC_ABORTED', `${what} was aborted before it was sent`, {
            cause: signal.reason,
          }),
        );
        return;
      }
      const onAbort = () => this.fail(id, 'E_RPC_ABORTED', `${what} was aborted`, signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = this.scheduler.setTimeout(
        () => this.fail(id, 'E_RPC_TIMEOUT', `${what} got no answer within ${timeoutMs} ms`),
        timeoutMs,
      );
      this.#pending.set(id, {
        target,
        resolve,
        reject,
        timer,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      });
    });
    return [id, promise];
  }

  /** Whether request `id` is waiting for an answer from `from`. */
  expects(id: number, from: PeerId): boolean {
    return this.#pending.get(id)?.target === from;
  }

  /** Settles request `id` with a value. */
  succeed(id: number, value: unknown): void {
    const pending = this.#take(id);
    pending?.resolve(value);
  }

  /** Settles request `id` with an error. */
  fail(id: number, code: ErrorCodeName, message: string, cause?: unknown): void {
    const pending = this.#take(id);
    pending?.reject(new RpcFailedError(code, message, cause === undefined ? undefined : { cause }));
  }

  /** Fails every request to `target` (it left). */
  failTarget(target: PeerId, code: ErrorCodeName, message: string): void {
    for (const [id, pending] of this.#pending) if (pending.target === target) this.fail(id, code, message);
  }

  /** Fails every request (the session closed). */
  failAll(code: ErrorCodeName, message: string): void {
    for (const id of [...this.#pending.keys()]) this.fail(id, code, message);
  }

  get size(): number {
    return this.#pending.size;
  }

  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    this.scheduler.clearTimeout(pending.timer);
    pending.cleanup();
    return pending;
  }
}
