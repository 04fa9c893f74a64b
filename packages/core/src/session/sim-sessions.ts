import { SessionError } from '../errors.js';
import type { SimNetwork } from '../sim/sim-network.js';
import type { ChannelConfig } from '../transport/channels.js';
import type { SessionOptions } from './options.js';
import { Session } from './session.js';

/** Options of {@link createSessions}: the session options every peer shares, plus set-up hooks. */
export interface SimSessionsOptions extends Omit<SessionOptions, 'transport' | 'role' | 'scheduler'> {
  /** User channels every transport gets (index 3 onwards). */
  channels?: readonly ChannelConfig[];
  /** Called for each session right after it is made (register services here); index 0 is the host. */
  setup?: (session: Session, index: number) => void;
  /** Per-peer option overrides (e.g. credentials), by index. */
  perPeer?: (index: number) => Partial<SessionOptions>;
  /** Wait until every session is connected. Default true. */
  waitConnected?: boolean;
  /** Longest virtual wait for the joins, ms. Default 10000. */
  maxWaitMs?: number;
}

/**
 * Makes `n` sessions on `net` (the first is the host), links them as the topology wants (star:
 * every client to the host; mesh: every pair) and runs the clock until all are connected.
 */
export async function createSessions(
  net: SimNetwork,
  n: number,
  options: SimSessionsOptions = {},
): Promise<Session[]> {
  const sessions: Session[] = [];
  for (let i = 0; i < n; i++) sessions.push(makeSession(net, i === 0 ? 'host' : 'client', i, options));
  const topology = options.topology ?? 'host';
  const host = sessions[0];
  if (host) {
    for (let i = 1; i < n; i++) {
      if (topology === 'mesh')
        for (let j = 0; j < i; j++)
          net.connect(sessions[j]!.transport.localId, sessions[i]!.transport.localId);
      else net.connect(host.transport.localId, sessions[i]!.transport.localId);
    }
  }
  if (options.waitConnected !== false) {
    await net.runUntil(
      () => sessions.every((s) => s.connected && s.peers().length === n - 1),
      options.maxWaitMs ?? 10_000,
    );
  }
  return sessions;
}

/**
 * Adds one more session to a running set (a late joiner) and links it as the topology wants. The
 * existing sessions are scanned for the current host.
 */
export async function joinSession(
  net: SimNetwork,
  existing: readonly Session[],
  options: SimSessionsOptions = {},
): Promise<Session> {
  const session = makeSession(net, 'client', existing.length, options);
  const live = existing.filter((s) => s.connected);
  const host = live.find((s) => s.isHost);
  if (!host) throw new SessionError('E_NOT_CONNECTED', 'no live host to join');
  const targets = (options.topology ?? 'host') === 'mesh' ? live : [host];
  for (const other of targets) net.connect(other.transport.localId, session.transport.localId);
  if (options.waitConnected !== false) {
    await net.runUntil(
      () => session.connected && live.every((s) => !s.connected || s.peers().includes(session.id)),
      options.maxWaitMs ?? 10_000,
    );
  }
  return session;
}

function makeSession(
  net: SimNetwork,
  role: 'host' | 'client',
  index: number,
  options: SimSessionsOptions,
): Session {
  const { channels, setup, perPeer, waitConnected: _w, maxWaitMs: _m, ...shared } = options;
  const transport = net.createTransport({ channels: channels ?? [] });
  const session = new Session({ ...shared, ...perPeer?.(index), transport, role, scheduler: net.scheduler });
  setup?.(session, index);
  return session;
}
