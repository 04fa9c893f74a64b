import type { Topology } from '@meshplay/core';
import type { WebSocketSignaling } from '@meshplay/signaling/websocket';
import { WebRtcTransport } from '@meshplay/transport-webrtc';
import { ArenaGame } from '../game/arena-game.js';
import { ArenaError, nameProblem } from '../game/errors.js';
import { Lobby } from './lobby.js';

/** How a peer enters an arena. */
export interface JoinArenaOptions {
  /** A client of the signaling server (in Node 20, made with `ws`'s WebSocket). */
  signaling: WebSocketSignaling;
  /** Must match the lobby's (its room name says which it is). Default `'host'`. */
  topology?: Topology;
  /** Display name, 1–24 characters. */
  name: string;
  /** Join this lobby by its code; without one, create a new lobby and host it. */
  code?: string;
  /** Local address for ICE host candidates (Node only; `127.0.0.1` keeps the demo on loopback). */
  bindAddress?: string;
  /** A link not open within this many ms is abandoned. Default the transport's (15 s). */
  connectTimeoutMs?: number;
  /** Give up joining the session after this long. Default 30 000 ms. */
  joinTimeoutMs?: number;
}

/** A joined arena: the game and the lobby's join code. */
export interface JoinedArena {
  game: ArenaGame;
  code: string;
}

const PREFIX = 'arena';

/**
 * Creates (without `code`) or joins (with it) an arena lobby through the signaling server, links to
 * its peers over WebRTC and starts the game; resolves once this peer is in the session.
 */
export async function joinArena(options: JoinArenaOptions): Promise<JoinedArena> {
  const topology = options.topology ?? 'host';
  const problem = nameProblem(options.name);
  if (problem) throw new ArenaError('E_BAD_NAME', `name ${JSON.stringify(options.name)} ${problem}`);
  const lobby = new Lobby(options.signaling, options.code);
  const transport = await WebRtcTransport.join(lobby, `${PREFIX}-${topology}-${randomId()}`, {
    topology: topology === 'host' ? 'star' : 'mesh',
    joinOptions: { public: true, maxPeers: 16 },
    ...(options.bindAddress === undefined ? {} : { bindAddress: options.bindAddress }),
    ...(options.connectTimeoutMs === undefined ? {} : { connectTimeoutMs: options.connectTimeoutMs }),
  });
  const room = lobby.room!;
  if (!room.room.startsWith(`${PREFIX}-${topology}-`)) {
    await transport.close();
    throw new ArenaError('E_TOPOLOGY', `lobby ${room.room} is not a '${topology}' arena`);
  }
  const game = new ArenaGame({
    transport,
    topology,
    role: transport.isHost ? 'host' : 'client',
    name: options.name,
    ...(options.joinTimeoutMs === undefined ? {} : { joinTimeoutMs: options.joinTimeoutMs }),
  });
  try {
    await game.ready();
  } catch (error) {
    await game.close();
    throw error;
  }
  return { game, code: room.code ?? '' };
}

function randomId(): string {
  return Math.random().toString(36).slice(2, 10);
}
