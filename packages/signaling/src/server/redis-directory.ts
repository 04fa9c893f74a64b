import { Redis } from 'ioredis';
import { SignalingError, type SignalPayload, type SignalPeerId } from '../contract.js';
import type { LobbyInfo } from '../protocol.js';
import type { DirectoryContext, JoinRequest, LobbyDirectory, LobbyView } from './directory.js';
import { newJoinCode } from './local-directory.js';
import { LobbyMirror, type WireEvent } from './redis-mirror.js';
import { REDIS_SCRIPTS, type ScriptReply } from './redis-scripts.js';
import type { ResumeClaims } from './tokens.js';

type ScriptName = keyof typeof REDIS_SCRIPTS;
type ScriptCall = (...args: (string | number)[]) => Promise<string>;

/** Options of {@link RedisDirectory}. */
export interface RedisDirectoryOptions {
  /** A redis:// URL or a connected client (duplicated for the subscriber connection). */
  redis: string | Redis;
  /** Prefix of every key and channel, so deployments (and tests) can share one Redis. */
  prefix: string;
}

/**
 * Lobbies shared by several server nodes through Redis. State changes run as Lua scripts
 * (redis-scripts.ts) that publish on a channel per lobby; each node subscribes to the lobbies
 * it holds peers in, mirrors them, and delivers payloads for its own sockets.
 */
export class RedisDirectory implements LobbyDirectory {
  readonly #context: DirectoryContext;
  readonly #prefix: string;
  readonly #cmd: Redis;
  readonly #sub: Redis;
  readonly #ownsCmd: boolean;
  readonly #mirrors = new Map<string, LobbyMirror>();

  constructor(context: DirectoryContext, options: RedisDirectoryOptions) {
    this.#context = context;
    this.#prefix = options.prefix;
    const redisOptions = { maxRetriesPerRequest: 2, enableAutoPipelining: true };
    this.#ownsCmd = typeof options.redis === 'string';
    this.#cmd = typeof options.redis === 'string' ? new Redis(options.redis, redisOptions) : options.redis;
    this.#sub = this.#cmd.duplicate({ enableAutoPipelining: false });
    // ioredis reports connection trouble as 'error' events; commands still fail on their own.
    this.#cmd.on('error', () => {});
    this.#sub.on('error', () => {});
    for (const [name, lua] of Object.entries(REDIS_SCRIPTS))
      this.#cmd.defineCommand(name, { numberOfKeys: 5, lua });
    this.#sub.on('message', (channel: string, text: string) => this.#onMessage(channel, text));
    // After a reconnect the subscription is restored, but what was published meanwhile is lost.
    this.#sub.on('ready', () => {
      for (const room of this.#mirrors.keys()) void this.#resync(room);
    });
  }

  /** Resolves once both connections are up; rejects if Redis cannot be reached. */
  async ready(): Promise<void> {
    await Promise.all([this.#cmd.ping(), this.#sub.ping()]);
  }

  async join(request: JoinRequest): Promise<LobbyView> {
    let room = request.room;
    if (request.code !== undefined) {
      room = (await this.#cmd.hget(`${this.#prefix}codes`, request.code)) ?? undefined;
      if (room === undefined) throw new SignalingError('E_NO_ROOM', `no lobby has code ${request.code}`);
    }
    const name = room as string;
    const pw = this.#context.signer.passwordDigest(name, request.password);
    return this.#withMirror(name, async () => {
      for (let attempt = 0; ; attempt++) {
        const reply = await this.#run('mpJoin', name, [
          request.peer,
          request.create ? 1 : 0,
          pw,
          request.maxPeers,
          request.public ? 1 : 0,
          newJoinCode(),
        ]);
        if (reply.refused === 'E_CODE_TAKEN' && attempt < 5) continue;
        if (reply.refused === 'E_NO_ROOM' && request.code !== undefined) {
          await this.#cmd.hdel(`${this.#prefix}codes`, request.code);
        }
        return reply;
      }
    });
  }

  async resume(claims: ResumeClaims): Promise<LobbyView> {
    return this.#withMirror(claims.room, () =>
      this.#run('mpResume', claims.room, [
        claims.peer,
        this.#context.node,
        this.#context.restoreMs,
        claims.code,
        claims.public ? 1 : 0,
        claims.maxPeers,
        claims.pw,
        claims.host,
        claims.sealed ? 1 : 0,
        newJoinCode(),
      ]),
    );
  }

  async leave(room: string, peer: SignalPeerId): Promise<void> {
    await this.#run('mpLeave', room, [peer]);
  }

  async seal(room: string, peer: SignalPeerId): Promise<void> {
    const reply = await this.#run('mpSeal', room, [peer]);
    if (reply.refused !== undefined) throw refusal(reply.refused);
  }

  view(room: string): LobbyView | undefined {
    return this.#mirrors.get(room)?.view;
  }

  forward(room: string, from: SignalPeerId, to: SignalPeerId, payload: SignalPayload): void {
    const event: WireEvent = { k: 'signal', from, to, payload };
    this.#cmd.publish(this.#channel(room), JSON.stringify(event)).catch(() => {});
  }

  async maintain(live: ReadonlyMap<string, readonly SignalPeerId[]>): Promise<void> {
    await Promise.all(
      [...live].map(([room, peers]) => this.#run('mpRenew', room, [...peers]).catch(() => {})),
    );
  }

  release(room: string): void {
    const mirror = this.#mirrors.get(room);
    if (!mirror || --mirror.refs > 0) return;
    this.#mirrors.delete(room);
    this.#sub.unsubscribe(this.#channel(room)).catch(() => {});
  }

  async list(): Promise<LobbyInfo[]> {
    const rooms = await this.#cmd.smembers(`${this.#prefix}public`);
    const lobbies = await Promise.all(
      rooms.map(async (room) => {
        const [fields, peers] = await Promise.all([
          this.#cmd.hmget(this.#key('lobby', room), 'code', 'max', 'pw', 'sealed'),
          this.#cmd.zcard(this.#key('lease', room)),
        ]);
        const [code, max, pw, sealed] = fields;
        if (code === null || code === undefined || peers === 0) {
          await this.#cmd.srem(`${this.#prefix}public`, room);
          return undefined;
        }
        return { room, code, peers, maxPeers: Number(max), password: Boolean(pw), sealed: sealed === '1' };
      }),
    );
    return lobbies.filter((lobby) => lobby !== undefined);
  }

  healthy(): boolean {
    return this.#cmd.status === 'ready' && this.#sub.status === 'ready';
  }

  async close(): Promise<void> {
    this.#mirrors.clear();
    this.#sub.disconnect();
    if (this.#ownsCmd) this.#cmd.disconnect();
  }

  /** Runs a membership script with the room's mirror subscribed first, and waits for it to catch up. */
  async #withMirror(room: string, run: () => Promise<ScriptReply>): Promise<LobbyView> {
    let mirror = this.#mirrors.get(room);
    if (!mirror) {
      mirror = new LobbyMirror(room, this.#context.onEvent, () => void this.#resync(room));
      this.#mirrors.set(room, mirror);
    }
    mirror.refs++;
    try {
      // Subscribing before the script runs means no change after the snapshot can be missed.
      await this.#sub.subscribe(this.#channel(room));
      const reply = await run();
      if (reply.refused !== undefined) throw refusal(reply.refused);
      if (!mirror.view) mirror.apply(reply, false);
      else await mirror.caughtUp(reply.ver, 1000);
      return mirror.view as LobbyView;
    } catch (error) {
      this.release(room);
      throw error;
    }
  }

  /** Re-reads a lobby after lost messages and tells local peers the result. */
  async #resync(room: string): Promise<void> {
    const mirror = this.#mirrors.get(room);
    if (!mirror || mirror.resyncing) return;
    mirror.resyncing = true;
    try {
      const reply = await this.#run('mpRead', room, []);
      if (reply.refused === undefined && this.#mirrors.get(room) === mirror) mirror.apply(reply, true);
    } catch {
      // Redis is away; the next gap or reconnect tries again.
    } finally {
      mirror.resyncing = false;
    }
  }

  #onMessage(channel: string, text: string): void {
    const room = channel.slice(this.#prefix.length + 'room:'.length);
    const mirror = this.#mirrors.get(room);
    if (!mirror) return;
    let event: WireEvent;
    try {
      event = JSON.parse(text) as WireEvent;
    } catch {
      return;
    }
    if (event.k === 'signal') {
      this.#context.onEvent({ kind: 'signal', room, from: event.from, to: event.to, payload: event.payload });
    } else if (event.k === 'resumed') {
      this.#context.onEvent({ kind: 'resumed', room, peer: event.peer, node: event.node });
    } else {
      mirror.push(event);
    }
  }

  /** Runs a script on a room's keys; replies that are not snapshots (renew, leave) read as `{ refused: 'E_NONE' }`. */
  async #run(name: ScriptName, room: string, args: (string | number)[]): Promise<ScriptReply> {
    const call = (this.#cmd as unknown as Record<ScriptName, ScriptCall>)[name].bind(this.#cmd);
    const ttl = this.#context.leaseMs * 2 + this.#context.restoreMs;
    const reply = await call(
      this.#key('lobby', room),
      this.#key('lease', room),
      this.#key('order', room),
      `${this.#prefix}codes`,
      `${this.#prefix}public`,
      this.#channel(room),
      room,
      this.#context.leaseMs,
      ttl,
      ...args,
    );
    if (typeof reply !== 'string' || !reply.startsWith('{')) return { refused: 'E_NONE' };
    return JSON.parse(reply) as ScriptReply;
  }

  #key(kind: string, room: string): string {
    return `${this.#prefix}${kind}:${room}`;
  }

  #channel(room: string): string {
    return `${this.#prefix}room:${room}`;
  }
}

function refusal(code: string): SignalingError {
  const reasons: Record<string, string> = {
    E_NO_ROOM: 'no such lobby',
    E_SEALED: 'the lobby is sealed',
    E_BAD_PASSWORD: 'wrong password',
    E_ROOM_FULL: 'the lobby is full',
    E_NOT_HOST: 'only the host may seal the lobby',
    E_RESUME_REFUSED: 'this peer has already left the lobby',
  };
  if (!(code in reasons)) return new SignalingError('E_UNAVAILABLE', `the lobby store answered ${code}`);
  return new SignalingError(code, reasons[code] as string);
}

/**
 * The secret every node on this Redis (and prefix) shares, created by the first node to ask, so
 * a token issued by one node is honoured by all.
 */
export async function sharedSecret(redis: string | Redis, prefix: string, fresh: string): Promise<string> {
  const client =
    typeof redis === 'string' ? new Redis(redis, { maxRetriesPerRequest: 1, lazyConnect: true }) : redis;
  client.on('error', () => {});
  try {
    if (typeof redis === 'string') await client.connect();
    await client.set(`${prefix}secret`, fresh, 'NX');
    return (await client.get(`${prefix}secret`)) ?? fresh;
  } finally {
    if (typeof redis === 'string') client.disconnect();
  }
}
