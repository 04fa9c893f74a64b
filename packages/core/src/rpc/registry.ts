import { ConfigError } from '../errors.js';
import type { PeerId } from '../ids.js';
import { type RpcMethodInfo, rpcMethodsOf } from './decorator.js';

/**
 * Anything RPCs can be addressed to: a session service, or (through the replication layer) a
 * spawned networked object. `authority` is who may call its `authority`-mode methods.
 */
export interface RpcNode {
  readonly id: number;
  readonly name: string;
  readonly instance: object;
  readonly methods: readonly RpcMethodInfo[];
  authority(): PeerId | undefined;
  /** Whether `peer` may receive calls on this node (visibility); everyone when absent. */
  visibleTo?(peer: PeerId): boolean;
}

/** How a node is described to {@link NodeRegistry.add}. */
export interface NodeSpec {
  id: number;
  name: string;
  instance: object;
  authority(): PeerId | undefined;
  visibleTo?(peer: PeerId): boolean;
}

/** Maps wire node ids and instances to nodes, both ways, with each node's method table. */
export class NodeRegistry {
  readonly #byId = new Map<number, RpcNode & { readonly methodIndex: Map<string, number> }>();
  readonly #byInstance = new WeakMap<object, RpcNode & { readonly methodIndex: Map<string, number> }>();

  /** Adds a node; its class's `@rpc` methods become callable. */
  add(spec: NodeSpec): RpcNode {
    if (this.#byId.has(spec.id)) throw new ConfigError(`node id ${spec.id} is already in use`);
    const methods = rpcMethodsOf(spec.instance);
    const methodIndex = new Map(methods.map((method, index) => [method.name, index]));
    const node = { ...spec, methods, methodIndex };
    this.#byId.set(spec.id, node);
    this.#byInstance.set(spec.instance, node);
    return node;
  }

  /** Removes a node (despawn, unregister). */
  remove(id: number): void {
    const node = this.#byId.get(id);
    if (!node) return;
    this.#byId.delete(id);
    this.#byInstance.delete(node.instance);
  }

  get(id: number): RpcNode | undefined {
    return this.#byId.get(id);
  }

  of(instance: object): RpcNode | undefined {
    return this.#byInstance.get(instance);
  }

  /** Index of a method by name, or -1. */
  methodIndex(node: RpcNode, name: string): number {
    return this.#byId.get(node.id)?.methodIndex.get(name) ?? -1;
  }

  nodes(): IterableIterator<RpcNode> {
    return this.#byId.values();
  }
}
