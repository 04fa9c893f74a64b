import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ConfigError } from '../errors.js';
import type { ChannelKind } from '../transport/channels.js';

/** Who may call a method: only the authority of its object (host for services, owner for objects), or anyone. */
export type RpcMode = 'authority' | 'any';

/** The options of {@link rpc}: every Godot `@rpc` option, plus schema validation and rate limits. */
export interface RpcOptions<Args extends readonly unknown[] = any[]> {
  /** Default `'authority'`. */
  mode?: RpcMode;
  /** Also run the method on the calling peer when it is among the targets. Default false. */
  local?: boolean;
  /** Channel kind. Default `'reliable'`. */
  transfer?: ChannelKind;
  /** A user channel index (from the transport's channel list); overrides `transfer`. */
  channel?: number;
  /** A Standard Schema (zod, valibot, arktype, ...) for the argument tuple, checked on receipt. */
  args?: StandardSchemaV1<unknown, Args>;
  /** Most calls per second one sender may make to this method (burst of the same size). */
  rateLimit?: number;
}

/** What the registry keeps of one decorated method. */
export interface RpcMethodInfo {
  readonly name: string;
  readonly mode: RpcMode;
  readonly local: boolean;
  readonly transfer: ChannelKind;
  readonly channel: number | undefined;
  readonly args: StandardSchemaV1 | undefined;
  readonly rateLimit: number | undefined;
}

const DECORATED = new WeakMap<Function, RpcMethodInfo>();
const BY_PROTOTYPE = new WeakMap<object, readonly RpcMethodInfo[]>();

/**
 * Marks a method as callable over the network. With an `args` schema, the schema's output type
 * must match the method's parameters (checked by `tsc`).
 *
 * ```ts
 * class Chat {
 *   @rpc({ mode: 'any', args: z.tuple([z.string().max(200)]) })
 *   say(text: string) { ... }
 * }
 * ```
 */
export function rpc<This, Args extends any[], Return>(options: RpcOptions<Args> = {}) {
  const info = normalise(options);
  return (
    method: (this: This, ...args: Args) => Return,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: Args) => Return>,
  ): void => {
    if (context.static || context.private || typeof context.name !== 'string') {
      throw new ConfigError(`@rpc goes on public instance methods, not on ${String(context.name)}`);
    }
    DECORATED.set(method, { ...info, name: context.name });
  };
}

function normalise(options: RpcOptions<any[]>): RpcMethodInfo {
  const mode = options.mode ?? 'authority';
  if (mode !== 'authority' && mode !== 'any') throw new ConfigError(`@rpc mode must be 'authority' or 'any'`);
  const transfer = options.transfer ?? 'reliable';
  if (!['reliable', 'unreliable', 'unreliable-ordered'].includes(transfer)) {
    throw new ConfigError(`@rpc transfer must be 'reliable', 'unreliable' or 'unreliable-ordered'`);
  }
  if (options.rateLimit !== undefined && !(options.rateLimit > 0)) {
    throw new ConfigError('@rpc rateLimit must be a positive number of calls per second');
  }
  if (options.channel !== undefined && !(Number.isInteger(options.channel) && options.channel >= 0)) {
    throw new ConfigError('@rpc channel must be a channel index');
  }
  return {
    name: '',
    mode,
    local: options.local ?? false,
    transfer,
    channel: options.channel,
    args: options.args as StandardSchemaV1 | undefined,
    rateLimit: options.rateLimit,
  };
}

/**
 * The decorated methods of an object's class chain, base classes first, each class in declaration
 * order: the same code yields the same method indices on every peer.
 */
export function rpcMethodsOf(instance: object): readonly RpcMethodInfo[] {
  const prototype = Object.getPrototypeOf(instance) as object | null;
  if (!prototype) return [];
  const cached = BY_PROTOTYPE.get(prototype);
  if (cached) return cached;
  const chain: object[] = [];
  for (let p: object | null = prototype; p && p !== Object.prototype; p = Object.getPrototypeOf(p))
    chain.unshift(p);
  const found = new Map<string, RpcMethodInfo>();
  for (const proto of chain) {
    for (const key of Object.getOwnPropertyNames(proto)) {
      const value = Object.getOwnPropertyDescriptor(proto, key)?.value;
      if (typeof value !== 'function') continue;
      const info = DECORATED.get(value);
      if (info) found.set(key, info);
      else if (found.has(key)) found.delete(key); // overridden without @rpc: no longer callable remotely
    }
  }
  const methods = [...found.values()];
  if (methods.length > 256) throw new ConfigError('a class may have at most 256 @rpc methods');
  BY_PROTOTYPE.set(prototype, methods);
  return methods;
}
