import { ConfigError, type MeshplayError } from '../errors.js';
import type { PeerId } from '../ids.js';
import { realScheduler, type Scheduler } from '../scheduler.js';
import type { Transport } from '../transport/transport.js';

/** `host`: a star, clients talk only to the host, which relays. `mesh`: every peer to every peer. */
export type Topology = 'host' | 'mesh';

/** The verdict of an auth hook: `true` admits; `false` or a string (the reason) refuses. */
export type AuthVerdict = boolean | string;

/** What the host does with a peer that sent something refused. */
export type ViolationPolicy = 'kick' | 'report';

/** How a {@link Session} is made. */
export interface SessionOptions {
  /** The network under the session. */
  transport: Transport;
  /** Default `'host'`. */
  topology?: Topology;
  /** Whether this peer starts as the host. Exactly one peer of a session does. */
  role: 'host' | 'client';
  /** Clock and timers (SimNetwork's virtual scheduler in tests). Default: the wall clock. */
  scheduler?: Scheduler;
  /** Host: decides whether to admit a peer from the credentials it sent. */
  auth?: (peer: PeerId, credentials: unknown) => AuthVerdict | Promise<AuthVerdict>;
  /** Host: how long `auth` may take before the peer is refused. Default 5000 ms. */
  authTimeoutMs?: number;
  /** Client: what this peer sends to the host's auth hook. */
  credentials?: unknown;
  /** Client: give up joining after this long. Default 10000 ms. */
  joinTimeoutMs?: number;
  /** Interval between heartbeats on each link. Default 1000 ms. */
  heartbeatIntervalMs?: number;
  /** A link silent this long is dead. Default 5000 ms. */
  heartbeatTimeoutMs?: number;
  /** Default timeout of `request()`. Default 10000 ms. */
  requestTimeoutMs?: number;
  /**
   * `immediate` (default): incoming messages are applied as they arrive. `poll`: they wait in an
   * inbox until `poll()`, so a game loop applies them at tick boundaries.
   */
  inbox?: 'immediate' | 'poll';
  /** Flush batches at the end of the current task (default), or only when `flush()` is called. */
  autoFlush?: boolean;
  /** Host: what to do with a peer whose input was refused. Default: kick for malformed packets, report otherwise. */
  onViolation?: (error: MeshplayError, peer: PeerId) => ViolationPolicy;
  /** Largest batch on reliable channels. Default 16 KiB. */
  reliableBatchBytes?: number;
  /** Most datagrams buffered from a link that the host has not announced yet. Default 64. */
  maxEarlyDatagrams?: number;
}

/** Options with every default filled in. */
export type ResolvedOptions = Required<Omit<SessionOptions, 'auth' | 'credentials'>> &
  Pick<SessionOptions, 'auth' | 'credentials'>;

/** Fills defaults and refuses settings that cannot work. */
export function resolveOptions(options: SessionOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    topology: 'host',
    scheduler: realScheduler,
    authTimeoutMs: 5000,
    joinTimeoutMs: 10_000,
    heartbeatIntervalMs: 1000,
    heartbeatTimeoutMs: 5000,
    requestTimeoutMs: 10_000,
    inbox: 'immediate',
    autoFlush: true,
    onViolation: (error) => (error.code === 'E_BAD_PACKET' ? 'kick' : 'report'),
    reliableBatchBytes: 16 * 1024,
    maxEarlyDatagrams: 64,
    ...options,
  };
  if (resolved.role !== 'host' && resolved.role !== 'client') {
    throw new ConfigError(`role must be 'host' or 'client', got ${String(resolved.role)}`);
  }
  if (resolved.topology !== 'host' && resolved.topology !== 'mesh') {
    throw new ConfigError(`topology must be 'host' or 'mesh', got ${String(resolved.topology)}`);
  }
  if (resolved.heartbeatTimeoutMs <= resolved.heartbeatIntervalMs) {
    throw new ConfigError('heartbeatTimeoutMs must be longer than heartbeatIntervalMs');
  }
  return resolved;
}
