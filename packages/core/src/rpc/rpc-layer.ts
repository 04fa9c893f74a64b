import { ErrorCode, errorCodeName, type MeshplayError, RpcFailedError, RpcRejectedError } from '../errors.js';
import type { PeerId } from '../ids.js';
import type { Scheduler } from '../scheduler.js';
import { channelOf } from '../transport/channels.js';
import type { Frame } from '../wire/frames.js';
import { decodeValue, encodeShared } from '../wire/msgpack.js';
import type { RpcMethodInfo } from './decorator.js';
import { TokenBucket } from './rate-limiter.js';
import type { NodeRegistry, RpcNode } from './registry.js';
import { describeRequest, PendingRequests } from './requests.js';

/** Whom a message is for, before the session turns it into per-link routes. */
export type Destination =
  | { readonly kind: 'all' }
  | { readonly kind: 'one'; readonly peer: PeerId }
  | { readonly kind: 'except'; readonly peer: PeerId };

/** What the RPC layer needs from its session. */
export interface RpcPort {
  readonly scheduler: Scheduler;
  readonly selfId: PeerId;
  /** Number of channels the transport has (to check user channel indices). */
  readonly channelCount: number;
  isMember(peer: PeerId): boolean;
  /** Queues an Rpc for `dest` (the session picks links and relay routes). */
  sendRpc(
    dest: Destination,
    channel: number,
    requestId: number,
    node: RpcNode,
    method: number,
    args: Uint8Array,
  ): void;
  /** Queues a Result for `to`. */
  sendResult(to: PeerId, requestId: number, errorCode: number, value: unknown): void;
  /** Reports refused input from `offender`: local error event, a reason to the offender, maybe a kick. */
  refuse(error: MeshplayError, offender: PeerId): void;
  /** Reports a local failure (a handler threw) without blaming a peer. */
  report(error: MeshplayError): void;
}

/**
 * Calls and dispatch: turns call sites into Rpc messages and incoming Rpc/Result messages into
 * method calls and settled promises, refusing anything unknown, unauthorised, malformed or too
 * frequent before it runs.
 */
export class RpcLayer {
  readonly pending: PendingRequests;
  readonly #buckets = new Map<PeerId, Map<number, TokenBucket>>();
  #sender: PeerId | undefined;

  constructor(
    private readonly port: RpcPort,
    readonly registry: NodeRegistry,
  ) {
    this.pending = new PendingRequests(port.scheduler);
  }

  /** The peer whose call is running now (valid in the synchronous part of a handler). */
  get currentSender(): PeerId | undefined {
    return this.#sender;
  }

  /** Channel index a method's calls travel on. */
  channelOf(info: RpcMethodInfo): number {
    if (info.channel === undefined) return channelOf(info.transfer);
    if (info.channel >= this.port.channelCount) {
      throw new RpcRejectedError(
        'E_INVALID_CONFIG',
        `@rpc ${info.name} names channel ${info.channel}, which does not exist`,
      );
    }
    return info.channel;
  }

  /** Fire-and-forget call of `node`'s method `index` to `dest`. */
  call(node: RpcNode, index: number, args: unknown[], dest: Destination): void {
    const info = this.#callable(node, index);
    const self = this.port.selfId;
    const includesSelf =
      dest.kind === 'all' ||
      (dest.kind === 'one' && dest.peer === self) ||
      (dest.kind === 'except' && dest.peer !== self);
    if (!(dest.kind === 'one' && dest.peer === self)) {
      this.port.sendRpc(dest, this.channelOf(info), 0, node, index, encodeShared(args));
    }
    if (includesSelf && (info.local || dest.kind === 'one')) this.#runLocal(node, info, args);
  }

  /** Request to one peer; resolves with the remote method's return value. */
  request(
    node: RpcNode,
    index: number,
    args: unknown[],
    to: PeerId,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<unknown> {
    const info = this.#callable(node, index);
    if (to === this.port.selfId) {
      try {
        return Promise.resolve(this.#invoke(node, info, args, to));
      } catch (error) {
        const what = describeRequest(node.name, info.name, to);
        return Promise.reject(
          new RpcFailedError('E_RPC_FAILED', `${what} threw: ${(error as Error).message}`, { cause: error }),
        );
      }
    }
    if (!this.port.isMember(to)) {
      const what = describeRequest(node.name, info.name, to);
      return Promise.reject(new RpcFailedError('E_PEER_LEFT', `${what}: no such peer in the session`));
    }
    const [id, promise] = this.pending.open(to, timeoutMs, signal, node.name, info.name);
    if (!signal?.aborted) {
      this.port.sendRpc({ kind: 'one', peer: to }, this.channelOf(info), id, node, index, encodeShared(args));
    }
    return promise;
  }

  /**
   * The checks a relaying host makes before forwarding an Rpc: the node and method exist, the
   * sender has authority, the rate limit holds. Returns the refusal, or undefined.
   */
  check(frame: Frame, sender: PeerId): RpcRejectedError | undefined {
    const target = this.#target(frame, sender);
    return target instanceof RpcRejectedError ? target : undefined;
  }

  /** The node an Rpc frame may run on, or why it may not (see {@link check}). */
  #target(frame: Frame, sender: PeerId): RpcNode | RpcRejectedError {
    const node = this.registry.get(frame.node);
    if (!node)
      return new RpcRejectedError('E_UNKNOWN_OBJECT', `no networked object or service with id ${frame.node}`);
    const info = node.methods[frame.method];
    if (!info) {
      return new RpcRejectedError('E_UNKNOWN_RPC', `${node.name} has no @rpc method #${frame.method}`);
    }
    if (info.mode === 'authority' && node.authority() !== sender) {
      return new RpcRejectedError(
        'E_UNAUTHORIZED_RPC',
        `${node.name}.${info.name} may only be called by its authority, not by ${sender}`,
      );
    }
    if (info.rateLimit !== undefined && !this.#bucket(sender, node, frame.method, info.rateLimit)) {
      return new RpcRejectedError(
        'E_RATE_LIMITED',
        `${node.name}.${info.name}: more than ${info.rateLimit} calls/s`,
      );
    }
    return node;
  }

  /** Node an Rpc frame targets (for visibility filtering while relaying). */
  nodeOf(frame: Frame): RpcNode | undefined {
    return this.registry.get(frame.node);
  }

  /** Applies an incoming Rpc from `sender`. `checked`: the rate limit was already charged (relay path). */
  receive(frame: Frame, datagram: Uint8Array, sender: PeerId, checked = false): void {
    const node = checked ? this.registry.get(frame.node)! : this.#target(frame, sender);
    if (node instanceof RpcRejectedError) return this.#refuse(node, sender, frame.number);
    const info = node.methods[frame.method]!;
    let args: unknown;
    try {
      args = decodeValue(datagram, frame.start, frame.end);
    } catch (error) {
      return this.#refuse(error as MeshplayError, sender, frame.number);
    }
    if (!Array.isArray(args)) {
      return this.#refuse(
        new RpcRejectedError('E_INVALID_ARGS', `${node.name}.${info.name}: arguments must be an array`),
        sender,
        frame.number,
      );
    }
    if (!info.args) return this.#execute(node, info, args, sender, frame.number);
    const verdict = info.args['~standard'].validate(args);
    if (verdict instanceof Promise) {
      verdict.then(
        (result) => this.#validated(node, info, result, sender, frame.number),
        (error) =>
          this.#refuse(
            new RpcRejectedError('E_INVALID_ARGS', `validator threw: ${String(error)}`),
            sender,
            frame.number,
          ),
      );
    } else {
      this.#validated(node, info, verdict, sender, frame.number);
    }
  }

  /** Applies an incoming Result from `sender`. */
  receiveResult(frame: Frame, datagram: Uint8Array, sender: PeerId): void {
    // A result for a request that already timed out or was aborted is expected: drop it quietly.
    const request = this.pending.claim(frame.number, sender);
    if (!request) return;
    let value: unknown;
    try {
      value = decodeValue(datagram, frame.start, frame.end);
    } catch (error) {
      request.reject(new RpcFailedError('E_BAD_PACKET', `malformed result from ${sender}`));
      return this.port.refuse(error as MeshplayError, sender);
    }
    if (frame.flags & 0x80) {
      const code = errorCodeName(frame.node);
      request.reject(new RpcFailedError(code, `${sender} answered ${code}: ${String(value)}`));
    } else {
      request.resolve(value);
    }
  }

  /** Forgets a departed peer's rate-limit state and fails requests waiting on it. */
  peerLeft(peer: PeerId): void {
    this.#buckets.delete(peer);
    this.pending.failTarget(peer, 'E_PEER_LEFT', `${peer} left before answering`);
  }

  #callable(node: RpcNode, index: number): RpcMethodInfo {
    const info = node.methods[index];
    if (!info) throw new RpcRejectedError('E_UNKNOWN_RPC', `${node.name} has no @rpc method #${index}`);
    if (info.mode === 'authority' && node.authority() !== this.port.selfId) {
      throw new RpcRejectedError(
        'E_UNAUTHORIZED_RPC',
        `${node.name}.${info.name} is authority-only and this peer is not the authority of ${node.name}`,
      );
    }
    return info;
  }

  #validated(
    node: RpcNode,
    info: RpcMethodInfo,
    result: { issues?: readonly { message: string }[]; value?: unknown },
    sender: PeerId,
    requestId: number,
  ): void {
    if (result.issues) {
      const issues = result.issues.map((issue) => issue.message).join('; ');
      return this.#refuse(
        new RpcRejectedError('E_INVALID_ARGS', `${node.name}.${info.name}: ${issues}`),
        sender,
        requestId,
      );
    }
    this.#execute(node, info, result.value as unknown[], sender, requestId);
  }

  #execute(node: RpcNode, info: RpcMethodInfo, args: unknown[], sender: PeerId, requestId: number): void {
    let result: unknown;
    try {
      result = this.#invoke(node, info, args, sender);
    } catch (error) {
      return this.#failed(node, info, error, sender, requestId);
    }
    if (requestId === 0) {
      if (result instanceof Promise) result.catch((error) => this.#failed(node, info, error, sender, 0));
      return;
    }
    if (!isThenable(result)) return this.#answer(node, info, sender, requestId, result);
    Promise.resolve(result).then(
      (value) => this.#answer(node, info, sender, requestId, value),
      (error) => this.#failed(node, info, error, sender, requestId),
    );
  }

  /** Sends a handler's return value back (an unencodable one fails the request instead). */
  #answer(node: RpcNode, info: RpcMethodInfo, sender: PeerId, requestId: number, value: unknown): void {
    try {
      this.port.sendResult(sender, requestId, 0, value);
    } catch (error) {
      this.#failed(node, info, error, sender, requestId);
    }
  }

  #invoke(node: RpcNode, info: RpcMethodInfo, args: unknown[], sender: PeerId): unknown {
    const previous = this.#sender;
    this.#sender = sender;
    try {
      return (node.instance as Record<string, (...a: unknown[]) => unknown>)[info.name]!(...args);
    } finally {
      this.#sender = previous;
    }
  }

  #runLocal(node: RpcNode, info: RpcMethodInfo, args: unknown[]): void {
    try {
      this.#invoke(node, info, args, this.port.selfId);
    } catch (error) {
      this.#failed(node, info, error, this.port.selfId, 0);
    }
  }

  #failed(node: RpcNode, info: RpcMethodInfo, error: unknown, sender: PeerId, requestId: number): void {
    const message = `${node.name}.${info.name} threw: ${error instanceof Error ? error.message : String(error)}`;
    if (requestId > 0 && sender !== this.port.selfId) {
      this.port.sendResult(sender, requestId, ErrorCode.E_RPC_FAILED, message);
    }
    this.port.report(new RpcFailedError('E_RPC_FAILED', message, { cause: error }));
  }

  #refuse(error: MeshplayError, sender: PeerId, requestId: number): void {
    if (requestId > 0) this.port.sendResult(sender, requestId, ErrorCode[error.code], error.message);
    this.port.refuse(error, sender);
  }

  #bucket(sender: PeerId, node: RpcNode, method: number, rate: number): boolean {
    let perSender = this.#buckets.get(sender);
    if (!perSender) {
      perSender = new Map();
      this.#buckets.set(sender, perSender);
    }
    const key = node.id * 256 + method;
    let bucket = perSender.get(key);
    if (!bucket) {
      bucket = new TokenBucket(rate, this.port.scheduler.now());
      perSender.set(key, bucket);
    }
    return bucket.take(this.port.scheduler.now());
  }
}

/** Whether a handler returned something to wait for (a promise or any other thenable). */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
