import { RpcRejectedError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Session } from '../session/session.js';
import type { RpcNode } from './registry.js';
import type { Destination } from './rpc-layer.js';
import type { RpcCaller, RpcRequester } from './types.js';

// State lives under a symbol so no RPC method name (say, `session`) can clash with it.
const STATE = Symbol('meshplay.callSite');

interface CallerState {
  readonly session: Session;
  readonly dest: Destination;
}

interface RequesterState {
  readonly session: Session;
  readonly peer: PeerId;
  readonly timeout: number;
  readonly signal: AbortSignal | undefined;
}

type Holder<S> = { readonly [STATE]: S };

const CALLER_PROTOS = new WeakMap<RpcNode, object>();
const REQUESTER_PROTOS = new WeakMap<RpcNode, object>();

function notRpc(node: RpcNode, name: string): () => never {
  return () => {
    throw new RpcRejectedError(
      'E_UNKNOWN_RPC',
      `${node.name}.${name} has no @rpc decorator: it cannot be called remotely`,
    );
  };
}

/** Method names on the instance's class chain that are plain (undecorated) methods. */
function plainMethods(node: RpcNode): string[] {
  const names = new Set<string>();
  for (
    let p = Object.getPrototypeOf(node.instance);
    p && p !== Object.prototype;
    p = Object.getPrototypeOf(p)
  ) {
    for (const key of Object.getOwnPropertyNames(p)) {
      if (key !== 'constructor' && typeof Object.getOwnPropertyDescriptor(p, key)?.value === 'function')
        names.add(key);
    }
  }
  for (const method of node.methods) names.delete(method.name);
  return [...names];
}

/**
 * A call-site object: a prototype (one per node and kind of call site, cached) holding a function
 * per method, and the per-call-site state under a symbol; a call costs one small allocation, not a
 * Proxy trap and a closure.
 */
function callSite<S>(
  cache: WeakMap<RpcNode, object>,
  node: RpcNode,
  state: S,
  invoke: (state: S, index: number, args: unknown[]) => unknown,
): object {
  let proto = cache.get(node);
  if (!proto) {
    const methods: Record<string, unknown> = {};
    for (const name of plainMethods(node)) methods[name] = notRpc(node, name);
    node.methods.forEach((method, index) => {
      methods[method.name] = function (this: Holder<S>, ...args: unknown[]) {
        return invoke(this[STATE], index, args);
      };
    });
    proto = methods;
    cache.set(node, proto);
  }
  const site = Object.create(proto) as { [STATE]: S };
  site[STATE] = state;
  return site;
}

/** The call-site object for fire-and-forget calls. */
export function makeCaller<T>(session: Session, node: RpcNode, dest: Destination): RpcCaller<T> {
  const state: CallerState = { session, dest };
  return callSite(CALLER_PROTOS, node, state, (s, index, args) => {
    s.session.rpcLayer.call(node, index, args, s.dest);
  }) as RpcCaller<T>;
}

/** The call-site object for requests; each method returns the promise of the remote result. */
export function makeRequester<T>(
  session: Session,
  node: RpcNode,
  peer: PeerId,
  timeout: number,
  signal: AbortSignal | undefined,
): RpcRequester<T> {
  const state: RequesterState = { session, peer, timeout, signal };
  return callSite(REQUESTER_PROTOS, node, state, (s, index, args) =>
    s.session.rpcLayer.request(node, index, args, s.peer, s.timeout, s.signal),
  ) as RpcRequester<T>;
}
