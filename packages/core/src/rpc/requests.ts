import { type ErrorCodeName, RpcFailedError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Scheduler, TimerHandle } from '../scheduler.js';

/** The two ways to settle a claimed request. */
export interface Settle {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

interface Pending extends Settle {
  readonly target: PeerId;
  /** When it times out, on the scheduler's clock. */
  readonly deadline: number;
  readonly timeoutMs: number;
  /** What was called (node and method names), for error messages built only when one is needed. */
  readonly node: string;
  readonly method: string;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: (() => void) | undefined;
}

/**
 * Requests waiting for a result: each settles exactly once, by its result, its timeout, its
 * AbortSignal, its target leaving, or the session closing.
 *
 * Timeouts share one timer, armed for the earliest deadline and re-armed when it fires: a request
 * that is answered costs no timer call at all, which keeps a request/response round trip close to
 * the transport's own.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #timer: TimerHandle | undefined;
  /** When the timer fires (Infinity: not armed). */
  #armedFor = Number.POSITIVE_INFINITY;

  constructor(private readonly scheduler: Scheduler) {}

  /** Registers a request to `target` for `node`'s `method`; returns its id and the promise of its result. */
  open(
    target: PeerId,
    timeoutMs: number,
    signal: AbortSignal | undefined,
    node: string,
    method: string,
  ): [number, Promise<unknown>] {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0x7fffffff ? 1 : this.#nextId + 1;
    const promise = new Promise<unknown>((resolve, reject) => {
      if (signal?.aborted) {
        reject(
          new RpcFailedError(
            'E_RPC_ABORTED',
            `${describeRequest(node, method, target)} was aborted before it was sent`,
            {
              cause: signal.reason,
            },
          ),
        );
        return;
      }
      let onAbort: (() => void) | undefined;
      if (signal) {
        onAbort = () =>
          this.fail(
            id,
            'E_RPC_ABORTED',
            `${describeRequest(node, method, target)} was aborted`,
            signal.reason,
          );
        signal.addEventListener('abort', onAbort, { once: true });
      }
      const deadline = this.scheduler.now() + timeoutMs;
      this.#pending.set(id, { target, resolve, reject, deadline, timeoutMs, node, method, signal, onAbort });
      if (deadline < this.#armedFor) this.#arm(deadline);
    });
    return [id, promise];
  }

  /**
   * Takes request `id` out of the waiting set if it waits for an answer from `from`; the caller
   * settles it. Undefined for anything else (timed out, aborted, or not `from`'s to answer).
   */
  claim(id: number, from: PeerId): Settle | undefined {
    const pending = this.#pending.get(id);
    if (pending?.target !== from) return undefined;
    this.#pending.delete(id);
    if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
    return pending;
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

  /** Fails every request (the session closed) and stops the timer. */
  failAll(code: ErrorCodeName, message: string): void {
    for (const id of [...this.#pending.keys()]) this.fail(id, code, message);
    this.#disarm();
  }

  get size(): number {
    return this.#pending.size;
  }

  #take(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    if (!pending) return undefined;
    this.#pending.delete(id);
    if (pending.onAbort) pending.signal!.removeEventListener('abort', pending.onAbort);
    return pending;
  }

  #arm(at: number): void {
    this.#disarm();
    this.#armedFor = at;
    this.#timer = this.scheduler.setTimeout(() => this.#sweep(), Math.max(0, at - this.scheduler.now()));
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  /** Fails what is due and re-arms for the next deadline (a timer may fire a little early). */
  #sweep(): void {
    this.#timer = undefined;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.scheduler.now();
    let next = Number.POSITIVE_INFINITY;
    for (const [id, pending] of this.#pending) {
      if (pending.deadline <= now) {
        const what = describeRequest(pending.node, pending.method, pending.target);
        this.fail(id, 'E_RPC_TIMEOUT', `${what} got no answer within ${pending.timeoutMs} ms`);
      } else if (pending.deadline < next) next = pending.deadline;
    }
    if (next !== Number.POSITIVE_INFINITY) this.#arm(next);
  }
}

/** How error messages name a request. */
export function describeRequest(node: string, method: string, target: PeerId): string {
  return `request ${node}.${method} to ${target}`;
}
