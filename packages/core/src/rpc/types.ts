import type { PeerId } from '../ids.js';

type AnyMethod = (...args: any[]) => any;

/** The method names of `T` (what a call site may name). */
export type MethodKeys<T> = { [K in keyof T]: T[K] extends AnyMethod ? K : never }[keyof T] & string;

/**
 * Fire-and-forget call site for `T`: each method takes the same arguments and returns nothing,
 * so a wrong argument type fails `tsc` where the call is written.
 */
export type RpcCaller<T> = {
  readonly [K in MethodKeys<T>]: T[K] extends (...args: infer A) => any ? (...args: A) => void : never;
};

/** Request call site for `T`: each method resolves to what the remote method returns (awaited). */
export type RpcRequester<T> = {
  readonly [K in MethodKeys<T>]: T[K] extends (...args: infer A) => infer R
    ? (...args: A) => Promise<Awaited<R>>
    : never;
};

/** Whom a fire-and-forget call goes to. Default: everyone (like Godot's `rpc()`). */
export interface CallTarget {
  /** One peer, the host, or everyone. */
  to?: PeerId | 'host' | 'all';
  /** Everyone except this peer (with `to` unset or `'all'`). */
  except?: PeerId;
}

/** Whom a request goes to, and how long to wait. */
export interface RequestTarget {
  /** One peer (or the host); requests have exactly one responder. */
  to: PeerId | 'host';
  /** Milliseconds before the promise rejects with `E_RPC_TIMEOUT`. Default: the session's `requestTimeoutMs`. */
  timeout?: number;
  /** Aborting rejects the promise with `E_RPC_ABORTED`. */
  signal?: AbortSignal;
}
