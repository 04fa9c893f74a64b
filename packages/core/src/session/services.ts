import { BadPacketError, ConfigError, type MeshplayError, SessionError } from '../errors.js';
import { rpcMethodsOf } from '../rpc/decorator.js';
import { Channel } from '../transport/channels.js';
import { writeControl } from '../wire/encode.js';
import { Kind } from '../wire/kinds.js';
import type { Session } from './session.js';

/** The host's service table: `[name, node id, @rpc method names]` per service. */
export type ServiceTable = [name: string, id: number, methods: string[]][];

/** Checks the shape of a service table read off the wire. */
export function parseServiceTable(value: unknown): ServiceTable {
  if (!Array.isArray(value)) throw new BadPacketError('malformed service table');
  for (const entry of value) {
    if (
      !Array.isArray(entry) ||
      typeof entry[0] !== 'string' ||
      !Number.isInteger(entry[1]) ||
      !Array.isArray(entry[2]) ||
      !entry[2].every((m: unknown) => typeof m === 'string')
    ) {
      throw new BadPacketError('malformed service table entry');
    }
  }
  return value as ServiceTable;
}

/**
 * Session-level services: objects registered by name on every peer. The host gives each name a
 * small node id and announces the table; peers bind their own instance to the host's id, after
 * checking that both sides declare the same `@rpc` methods in the same order.
 */
export class Services {
  readonly #local = new Map<string, object>();
  #table: ServiceTable = [];
  #nextId = 1;

  constructor(private readonly s: Session) {}

  register<T extends object>(name: string, service: T): T {
    if (typeof name !== 'string' || name.length === 0 || name.length > 64) {
      throw new ConfigError('a service name is a non-empty string of at most 64 characters');
    }
    if (this.#local.has(name)) throw new ConfigError(`a service named '${name}' is already registered`);
    if (this.s.registry.of(service)) throw new ConfigError(`this object is already registered`);
    this.#local.set(name, service);
    if (this.s.isHost) {
      const entry: ServiceTable[number] = [name, this.allocateId(), rpcMethodsOf(service).map((m) => m.name)];
      this.#table.push(entry);
      this.#bind(entry, service);
      this.#announce();
    } else {
      const entry = this.#table.find(([known]) => known === name);
      if (entry) this.#bind(entry, service);
    }
    return service;
  }

  /** The table as the host announces it. */
  table(): ServiceTable {
    return this.#table;
  }

  /** Adopts the host's table, binding every local service it names. */
  applyTable(table: ServiceTable): void {
    this.#table = table;
    for (const [, id] of table) if (id >= this.#nextId) this.#nextId = id + 1;
    for (const entry of table) {
      const service = this.#local.get(entry[0]);
      if (service && !this.s.registry.of(service)) this.#bind(entry, service);
    }
  }

  /** A fresh node id (services and spawned objects share the space). */
  allocateId(): number {
    return this.#nextId++;
  }

  /** The error for a call on an object that is not (yet) a node. */
  unboundError(target: object): MeshplayError {
    const name = [...this.#local].find(([, service]) => service === target)?.[0];
    if (name === undefined) {
      return new SessionError(
        'E_UNKNOWN_OBJECT',
        'this object is neither a registered service nor a spawned object',
      );
    }
    if (this.s.membership.state !== 'connected') {
      return new SessionError('E_NOT_CONNECTED', `service '${name}' gets its id when the session connects`);
    }
    return new SessionError('E_UNKNOWN_OBJECT', `the host has no service named '${name}'`);
  }

  #bind([name, id, methods]: ServiceTable[number], service: object): void {
    const local = rpcMethodsOf(service).map((m) => m.name);
    if (local.join() !== methods.join()) {
      this.s.emit('error', {
        error: new SessionError(
          'E_SCHEMA_MISMATCH',
          `service '${name}' declares @rpc methods [${local}] here but [${methods}] on the host: calls to it are disabled`,
        ),
      });
      return;
    }
    this.s.registry.add({ id, name, instance: service, authority: () => this.s.hostId });
  }

  #announce(): void {
    const { table } = this.s.membership;
    if (table.size <= 1) return;
    this.s.scratch.reset();
    writeControl(this.s.scratch, Kind.Services, this.#table);
    const bytes = this.s.scratch.toBytes();
    for (const member of table.members()) {
      if (member.id !== this.s.id) this.s.router.sendDirect(member.id, Channel.Reliable, bytes);
    }
  }
}
